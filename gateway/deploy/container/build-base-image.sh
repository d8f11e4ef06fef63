#!/usr/bin/env bash
# Builds a base image for the gateway's container from Debian packages alone, as a Docker-archive tarball
# Jib can start from (tar://), for machines that reach a Debian mirror but no container registry.
#
#   sudo gateway/deploy/container/build-base-image.sh /tmp/sp-gateway-base.tar
#   mvn -B package -DskipTests -Pcontainer -Dcontainer.base=tar:///tmp/sp-gateway-base.tar
#
# The base: Debian 12 (bookworm) minbase, OpenJDK 17 JRE headless, CA certificates, and the user the
# gateway runs as (uid 1000, group 0; PostgreSQL's initdb needs the uid to have a passwd entry).
# Needs root (debootstrap) and debootstrap itself (apt-get install debootstrap). ROOTFS may name a folder
# debootstrap already filled, to pack it again without downloading; MIRROR another Debian mirror.
set -euo pipefail
out=${1:?usage: build-base-image.sh <output.tar>}
rootfs=${ROOTFS:-$(mktemp -d)/rootfs}
mirror=${MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$rootfs/usr/lib/jvm/java-17-openjdk-amd64/bin/java" ]; then
	debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$rootfs" "$mirror"
fi
# The user the gateway runs as; its home is the data volume.
if ! grep -q '^gateway:' "$rootfs/etc/passwd"; then
	echo 'gateway:x:1000:0:Social Prescribing FHIR Gateway:/data:/usr/sbin/nologin' >> "$rootfs/etc/passwd"
	echo 'gateway:*:19000:0:99999:7:::' >> "$rootfs/etc/shadow"
fi
# Container runtimes provide /etc/hosts, but the embedded PostgreSQL listens on "localhost", so the base
# resolves it by itself too.
if ! grep -qs localhost "$rootfs/etc/hosts"; then
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$rootfs/etc/hosts"
fi
# Package caches and documentation are not needed at run time.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

# One layer, files in a stable order with fixed times, so that the same packages give the same layer.
tar --sort=name --mtime='2026-01-01 00:00:00' --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
layer_sha=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/$layer_sha"
mv "$work/layer.tar" "$work/$layer_sha/layer.tar"
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"2026-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
   "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64","LANG=C.UTF-8"],"WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},
 "history":[{"created":"2026-01-01T00:00:00Z","created_by":"deploy/container/build-base-image.sh (debootstrap bookworm)"}]}
JSON
config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$config_sha.json"
echo "[{\"Config\":\"$config_sha.json\",\"RepoTags\":[\"sp-gateway-base:bookworm\"],\"Layers\":[\"$layer_sha/layer.tar\"]}]" > "$work/manifest.json"
tar -C "$work" -cf "$out" manifest.json "$config_sha.json" "$layer_sha"
echo "Base image written to $out ($(du -h "$out" | cut -f1)); use it with -Dcontainer.base=tar://$(realpath "$out")"
