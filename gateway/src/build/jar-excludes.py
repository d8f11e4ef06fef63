"""Exclude (or include) patterns for one container of the jar, by outer class and whole unreached folders.

Usage: python3 jar-excludes.py <work folder> <container> <package prefix or ""> exclude|include [min bytes]
<container> is BOOT-INF/classes or a nested jar's file name (guava-33.2.1-jre.jar); run jar-reach.py first.
An outer class goes with all its inner classes; one smaller than min bytes (compressed) is kept.
Prints the patterns for maven-dependency-plugin, and on stderr what they save and any reached class they would drop.
"""
import pickle,glob,collections,sys,os
cls,res=pickle.load(open(glob.glob(os.path.join(sys.argv[1],'classes-*.pickle'))[0],'rb'))
reached=set(open(os.path.join(sys.argv[1],'reached.txt')).read().split())
cont=sys.argv[2]; pref=sys.argv[3]; mode=sys.argv[4]; minsize=int(sys.argv[5]) if len(sys.argv)>5 else 0
names=[n for n,v in cls.items() if v[0]==cont and n.startswith(pref)]
size={n:cls[n][1] for n in names}
# folder -> (all, unreached)
fold=collections.defaultdict(lambda:[0,0])
for n in names:
    parts=n.split('/')
    for i in range(1,len(parts)):
        d='/'.join(parts[:i]); fold[d][0]+=1; fold[d][1]+= n not in reached
def whole(d,want_unreached):
    a,u=fold[d]; return (u==a) if want_unreached else (u==0)
want = mode=='exclude'
pats=[]; covered=set(); saved=0
for d in sorted(fold, key=len):
    if any(d.startswith(c+'/') for c in covered): continue
    if whole(d,want) and (d+'/').startswith(pref) and len(d)>=len(pref.rstrip('/')):
        covered.add(d); pats.append(d+'/**')
outer=collections.defaultdict(lambda:[0,False])
for n in names:
    if any(n.startswith(c+'/') for c in covered): continue
    o=n.split('$')[0]; outer[o][0]+=size[n]; outer[o][1] |= (n in reached)
for o,(s,r) in sorted(outer.items()):
    if (not r)==want and (s>=minsize or not want):
        pats.append(o+'.class'); pats.append(o+'$*.class')
def matches(n):
    for p in pats:
        if p.endswith('/**'):
            if n.startswith(p[:-2]): return True
        elif p.endswith('$*.class'):
            if n.startswith(p[:-8]+'$'): return True
        elif n+'.class'==p: return True
    return False
if want:
    out=sum(size[n] for n in names if matches(n)); bad=[n for n in names if matches(n) and n in reached]
else:
    out=sum(size[n] for n in names if not matches(n)); bad=[n for n in names if not matches(n) and n in reached]
print('#',cont,pref,mode,'patterns',len(pats),'saves',out,'of unreached',sum(size[n] for n in names if n not in reached),'BAD',bad[:5],file=sys.stderr)
print(',\n'.join(pats))
