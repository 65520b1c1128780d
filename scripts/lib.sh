# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared by scripts/*: paths, versions, logging and stage timing.
# Sourced, never run.

set -euo pipefail

GENLKIT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Heavy artifacts (kernel tree and build, rust-src, bindgen) live outside the
# repository so that a fresh clone reuses them.
GENLKIT_CACHE=${GENLKIT_CACHE:-/var/cache/genlkit}

# Versions measured to work together (see README "Requirements").
KERNEL_SERIES=7.3
RUST_TOOLCHAIN=${RUST_TOOLCHAIN:-1.95.0}
BINDGEN_VERSION=0.71.1
LLVM_SUFFIX=-19          # make LLVM=-19: clang is required for Rust with KASAN

export RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN
export PATH="$GENLKIT_CACHE/bindgen/bin:$HOME/.cargo/bin:$PATH"
export LIBCLANG_PATH=/usr/lib/llvm${LLVM_SUFFIX}/lib

# Output of the last build, read by scripts/vm, scripts/test and scripts/run.
GENLKIT_OUT="$GENLKIT_ROOT/out"
KDIR_FILE="$GENLKIT_CACHE/current-kdir"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# stage NAME CMD...: run one stage, say how long it took.
stage() {
    local name=$1 start=$SECONDS
    shift
    log "$name"
    "$@"
    printf '    %s: %ds\n' "$name" $((SECONDS - start)) >&2
}

# The kernel build directory modules are built against: $KDIR if the user
# brought one, else the one scripts/setup built last.
kdir() {
    if [[ -n ${KDIR:-} ]]; then
        echo "$KDIR"
    elif [[ -f $KDIR_FILE ]]; then
        cat "$KDIR_FILE"
    else
        die "no kernel built yet: run scripts/setup (or set KDIR=/path/to/kernel/build)"
    fi
}

# The kernel source tree of the kernel under test, for its YNL schemas, specs, tools and uapi
# headers: the build's `source` link, or the build itself when it is an in-tree build.
ksrc() {
    local k
    k=$(kdir)
    if [[ -f $k/source/Makefile ]]; then readlink -f "$k/source"; else echo "$k"; fi
}

# make LLVM=... when the kernel in $1 was built with clang, so modules match.
kmake_llvm() {
    if grep -q '^CONFIG_CC_IS_CLANG=y' "$1/.config" 2>/dev/null; then
        echo "LLVM=$LLVM_SUFFIX"
    fi
}

# family_roots: the crate root of every family module (kmod/NAME/Kbuild -> kmod/NAME/NAME.rs),
# relative to the repository, one a line.
family_roots() {
    local kbuild dir
    for kbuild in "$GENLKIT_ROOT"/kmod/*/Kbuild; do
        dir=${kbuild%/Kbuild}
        echo "kmod/${dir##*/}/${dir##*/}.rs"
    done
}

kbuild_mirror() { echo "$GENLKIT_CACHE/kbuild-mirror/$(printf %s "$1" | sha256sum | cut -c1-16)"; }

# clean_build_products DIR: removes what kbuild left in DIR (objects, modules, their commands
# and metadata), so that a copy of module sources builds afresh against another kernel.
clean_build_products() {
    find "$1" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.[co]' \
        -o -name '.*.cmd' -o -name '*.rmeta' -o -name '.*.d' -o -name modules.order \
        -o -name Module.symvers \) -delete
}

# kmake_modules KDIR DIR [MAKE ARGS...]: build the external modules in DIR against KDIR.
# Kbuild refuses a module directory whose path holds a space, ':' or '%', and resolves
# symlinks: such a DIR is built in a mirror under the cache (its sources copied over, newer
# files only, build products kept there between builds), and the .ko files are copied back.
kmake_modules() {
    local k=$1 dir=$2 mirror ko
    shift 2
    if [[ $dir != *[[:space:]:%]* ]]; then
        # shellcheck disable=SC2046
        make -s -C "$k" M="$dir" $(kmake_llvm "$k") "$@" modules
        return
    fi
    mirror=$(kbuild_mirror "$dir")
    mkdir -p "$mirror"
    tar -C "$dir" --exclude=./target --exclude=./out --exclude=./.git -cf - . |
        tar -C "$mirror" --keep-newer-files -xf - 2>/dev/null
    # shellcheck disable=SC2046
    make -s -C "$k" M="$mirror" $(kmake_llvm "$k") "$@" modules || return
    (cd "$mirror" && find . -name '*.ko') | while IFS= read -r ko; do
        cp -p "$mirror/$ko" "$dir/$ko"
    done
}
