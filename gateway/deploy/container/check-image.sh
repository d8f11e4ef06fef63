#!/usr/bin/env bash
# Checks the image tarball Jib built (default gateway/target/jib-image.tar) without a container runtime:
# prints its configuration and layers, and fails unless it runs the gateway as a non-root user with the
# data directory as a volume, container-sized JVM flags, and the gateway's classes and dependencies.
#   gateway/deploy/container/check-image.sh [gateway/target/jib-image.tar]
set -euo pipefail
image=${1:-gateway/target/jib-image.tar}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xf "$image" -C "$work"
manifest=$(cat "$work/manifest.json")
config_file=$(grep -o '"Config":"[^"]*"' <<<"$manifest" | cut -d'"' -f4)
config=$(cat "$work/$config_file")
# A JSON object of empty objects, as Docker writes ports and volumes: {"8080/tcp":{}}
MAP='{\("[^"]*":{},\{0,1\}\)*}'
field() { grep -o "\"$1\":$2" <<<"$config" | head -n 1 | cut -d: -f2- || true; }

echo "Image:       $(grep -o '"RepoTags":\[[^]]*\]' <<<"$manifest" | cut -d: -f2-)"
echo "User:        $(field User '"[^"]*"')"
echo "Entrypoint:  $(field Entrypoint '\[[^]]*\]')"
echo "Ports:       $(field ExposedPorts "$MAP")"
echo "Volumes:     $(field Volumes "$MAP")"
echo "Env:         $(field Env '\[[^]]*\]')"
echo "Layers:"
failures=0
jar_found=no
deps=0
for layer in $(grep -o '"Layers":\[[^]]*\]' <<<"$manifest" | grep -o '"[^"]*\.tar[^"]*"' | tr -d '"'); do
	listing=$(tar -tzf "$work/$layer" 2>/dev/null || tar -tf "$work/$layer")
	printf '  %-16s %7s kB %6s files  %s\n' "${layer:0:12}…" "$(( $(stat -c %s "$work/$layer") / 1024 ))" "$(wc -l <<<"$listing")" \
		"$(head -n 3 <<<"$listing" | tr '\n' ' ')"
	grep -q 'app/classes/org/spgateway/GatewayApplication.class' <<<"$listing" && jar_found=yes
	deps=$(( deps + $(grep -c '^\.\?/\?app/libs/.*\.jar$' <<<"$listing" || true) ))
done

check() {
	if eval "$2"; then echo "ok:   $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
user=$(field User '"[^"]*"' | tr -d '"')
entrypoint=$(field Entrypoint '\[[^]]*\]')
check "runs as a non-root user ($user)" '[ -n "$user" ] && [ "${user%%:*}" != 0 ] && [ "${user%%:*}" != root ]'
check "/data is a volume" 'field Volumes "$MAP" | grep -q "\"/data\""'
check "the data directory is /data" 'field Env "\[[^]]*\]" | grep -q "GATEWAY_DATADIR=/data"'
check "the heap is sized from the container's memory limit" 'grep -q MaxRAMPercentage <<<"$entrypoint"'
check "the JVM exits on OutOfMemoryError, for the orchestrator to restart it" 'grep -q ExitOnOutOfMemoryError <<<"$entrypoint"'
check "the entrypoint starts the gateway" 'grep -q org.spgateway.GatewayApplication <<<"$entrypoint"'
check "the gateway's classes are in a layer" '[ $jar_found = yes ]'
check "its dependencies are in a layer ($deps jars)" '[ "$deps" -gt 50 ]'
check "port 8080 is exposed" 'field ExposedPorts "$MAP" | grep -q "\"8080/tcp\""'
exit $failures
