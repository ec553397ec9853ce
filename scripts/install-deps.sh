#!/usr/bin/env bash
# Installs the Debian packages microt needs, only those missing. Safe to run repeatedly.
# usage: scripts/install-deps.sh [runtime|test|factory]  (default: test = everything CI uses)
set -euo pipefail
profile=${1:-test}
runtime="build-essential cmake pkg-config libstb-dev zlib1g-dev libpng-dev libjpeg-dev"
cross="gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
fuzz="clang libclang-rt-14-dev"
python="python3 python3-numpy python3-scipy python3-flatbuffers python3-torch python3-torchvision python3-pil python3-sklearn python3-matplotlib"
data="dataset-fashion-mnist opencv-doc"
# the factory's selection tasks and extra training images (docs/protocol.md, docs/factory.md)
factory_data="openclipart-png gcompris-qt-data endless-sky-data plasma-workspace-wallpapers mate-backgrounds ukui-wallpapers lomiri-wallpapers"
# npm fetches the teacher; a Node.js from elsewhere (NodeSource's nodejs bundles npm and
# conflicts with Debian's npm package) is used as it is
node="nodejs npm"
command -v node > /dev/null && command -v npm > /dev/null && node=""
case "$profile" in
    runtime) want="$runtime $data" ;;
    factory) want="$runtime $python $data $factory_data $node" ;;
    test) want="$runtime $cross $fuzz $python $data" ;;
    *) echo "usage: $0 [runtime|test|factory]" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps: all $profile packages present"
    exit 0
fi
echo "install-deps: installing$missing"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends $missing
