#!/usr/bin/env bash
# berth's main job on a machine without internet: make an image from Debian's busybox-static,
# then show it. (`berth run` of it joins here once containers land.)
set -euo pipefail
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
echo 'root:x:0:' > "$rootfs/etc/group"
tar -C "$rootfs" -c . | berth import --change 'CMD ["sh"]' --change 'ENV PATH=/bin' - local/busybox:latest
berth images local/busybox
berth image inspect --format '{{.Id}} {{.Config.Cmd}}' local/busybox
