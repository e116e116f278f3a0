#!/bin/sh
# check-format.sh: fails if a tracked C file differs from what .clang-format makes of it.
set -eu
cd "$(dirname "$0")/.."
# kmod/ follows the kernel's own style.
files=$(git ls-files '*.c' '*.h' | grep -v '^kmod/')
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
