#!/usr/bin/env python3
"""Static reachability over every class in a Spring Boot jar (issue 14; docs/performance.md, fourth round).

Usage: python3 jar-reach.py <gateway.jar> <work folder> [class-load logs of a full test run ...]
Writes <work folder>/reached.txt (one internal class name a line) and prints, per container, the compressed bytes
of classes nothing reaches; jar-excludes.py turns reached.txt into the pom's exclude patterns.
Class-load logs: run the suite with -Xlog:class+load=info:file=<folder>/cl-%p.log in surefire's and failsafe's argLine.

Edges: every class name a class file mentions anywhere in its constant pool (class entries, descriptors in any
UTF-8 entry, annotation types), and every string constant that names a class (dotted or slashed) or a package
prefix ("org.x.y." marks the whole package). Roots: classes loaded by a test run (class+load logs), service
loader entries, Spring factories and auto-configuration imports, the gateway's own classes, the launcher.
Prints, per container (nested jar or BOOT-INF/classes), the compressed bytes of classes nothing reaches.
"""
import io, re, struct, sys, zipfile, collections, glob, pickle, os

JAR = sys.argv[1]
WORK = sys.argv[2]
LOGS = sys.argv[3:]

DESC = re.compile(r'L([A-Za-z_$][\w$/]*(?:/[\w$]+)*);')
NAMEISH = re.compile(r'^[A-Za-z_$][\w$]*(?:[./][A-Za-z_$][\w$-]*)+$')


def parse(data):
	if data[:4] != b'\xca\xfe\xba\xbe':
		return set(), set()
	n = struct.unpack('>H', data[8:10])[0]
	i = 10
	utf = {}
	classes = []
	strings = []
	k = 1
	while k < n:
		t = data[i]
		if t == 1:
			ln = struct.unpack('>H', data[i + 1:i + 3])[0]
			utf[k] = data[i + 3:i + 3 + ln].decode('utf-8', 'replace')
			i += 3 + ln
		elif t in (3, 4):
			i += 5
		elif t in (5, 6):
			i += 9
			k += 1
		elif t == 7:
			classes.append(struct.unpack('>H', data[i + 1:i + 3])[0])
			i += 3
		elif t == 8:
			strings.append(struct.unpack('>H', data[i + 1:i + 3])[0])
			i += 3
		elif t in (16, 19, 20):
			i += 3
		elif t in (9, 10, 11, 12, 17, 18):
			i += 5
		elif t == 15:
			i += 4
		else:
			raise ValueError('tag %d' % t)
		k += 1
	refs = set()
	for c in classes:
		name = utf.get(c, '')
		if name.startswith('['):
			refs.update(DESC.findall(name))
		else:
			refs.add(name)
	for s in utf.values():
		if 'L' in s and ';' in s:
			refs.update(DESC.findall(s))
	strs = set()
	for s in strings:
		v = utf.get(s, '')
		if len(v) < 300:
			strs.add(v)
	return refs, strs


def containers(jar):
	z = zipfile.ZipFile(jar)
	for info in z.infolist():
		f = info.filename
		if f.startswith('BOOT-INF/lib/') and f.endswith('.jar'):
			inner = zipfile.ZipFile(io.BytesIO(z.read(f)))
			yield f[13:], inner, ''
	yield 'BOOT-INF/classes', z, 'BOOT-INF/classes/'
	yield 'launcher', z, ''


def main():
	cache = os.path.join(WORK, 'classes-%d.pickle' % os.path.getsize(JAR))
	if os.path.exists(cache):
		cls, res = pickle.load(open(cache, 'rb'))
	else:
		cls = {}  # name -> (container, size, refs, strs)
		res = []  # (container, resource name, text) of service and spring files
		for cname, z, prefix in containers(JAR):
			for info in z.infolist():
				f = info.filename
				if not f.startswith(prefix):
					continue
				rel = f[len(prefix):]
				if cname == 'launcher' and not rel.startswith('org/springframework/boot/loader/'):
					continue
				if rel.endswith('.class') and not rel.startswith('META-INF/versions/'):
					name = rel[:-6]
					if name.endswith('module-info'):
						continue
					try:
						refs, strs = parse(z.read(f))
					except Exception as e:
						print('unparsed', cname, rel, e, file=sys.stderr)
						refs, strs = set(), set()
					cls[name] = (cname, info.compress_size, refs, strs)
				elif not rel.endswith('/') and info.file_size < 4000000 and not rel.endswith(('.txz', '.png', '.gif', '.jpg', '.js', '.map', '.css')):
					# any resource may name a class (service files, Spring factories, xmlsec's config.xml, properties)
					res.append((cname, rel, z.read(f).decode('utf-8', 'replace')))
		pickle.dump((cls, res), open(cache, 'wb'))

	packages = collections.defaultdict(list)
	for name in cls:
		packages[name.rsplit('/', 1)[0]].append(name)

	roots = set()
	for log in LOGS:
		for line in open(log, errors='replace'):
			m = re.search(r'\] (\S+) source:', line)
			if m:
				roots.add(m.group(1).replace('.', '/'))
	loaded = {r for r in roots if r in cls}
	for cname, rel, text in res:
		# build descriptions, not read at run time
		if rel.startswith(('META-INF/maven/', 'META-INF/proguard/')) or rel.endswith(('MANIFEST.MF', '.episode', 'pom.xml')):
			continue
		if rel.startswith('META-INF/services/'):
			roots.add(rel[len('META-INF/services/'):].replace('.', '/'))
		for tok in re.findall(r'[A-Za-z_$][\w$.]*[\w$]', text):
			if tok.replace('.', '/') in cls:
				roots.add(tok.replace('.', '/'))
	for name in cls:
		if name.startswith('org/spgateway/') or name.startswith('org/springframework/boot/loader/'):
			roots.add(name)

	seen = set()
	stack = [r for r in roots if r in cls]

	def visit(name):
		if name in cls and name not in seen:
			seen.add(name)
			stack.append(name)

	for r in list(stack):
		seen.add(r)
	while stack:
		name = stack.pop()
		cname, size, refs, strs = cls[name]
		for r in refs:
			visit(r)
			# an inner class keeps its outer one (reflection reads the nest)
		if '$' in name:
			visit(name.rsplit('$', 1)[0])
		for s in strs:
			if NAMEISH.match(s) or s.endswith('.'):
				t = s.replace('.', '/')
				if t.endswith('/'):
					for c in packages.get(t[:-1], ()):
						visit(c)
				else:
					visit(t)
	out = collections.defaultdict(lambda: [0, 0, 0, 0])
	unreached = []
	for name, (cname, size, refs, strs) in cls.items():
		o = out[cname]
		o[0] += size
		o[1] += 1
		if name not in seen:
			o[2] += size
			o[3] += 1
			unreached.append((cname, name, size))
	print('classes', len(cls), 'reached', len(seen), 'loaded in the logs', len(loaded))
	for cname, (tot, n, un, nu) in sorted(out.items(), key=lambda kv: -kv[1][2])[:60]:
		print('%10d of %10d  %5d of %5d  %s' % (un, tot, nu, n, cname))
	with open(os.path.join(WORK, 'unreached.txt'), 'w') as f:
		for cname, name, size in sorted(unreached):
			f.write('%s %s %d\n' % (cname, name, size))
	with open(os.path.join(WORK, 'reached.txt'), 'w') as f:
		for name in sorted(seen):
			f.write(name + '\n')


main()
