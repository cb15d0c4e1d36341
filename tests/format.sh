#!/usr/bin/env bash
# Fails on any C file that clang-format would change (.clang-format).
set -u
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
	echo "format: SKIP: clang-format is not installed (make deps installs it)"
	exit 77
fi
files=$(git ls-files '*.c' '*.h' 2>/dev/null; git ls-files --others --exclude-standard '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find include core analyze report cli tests -name '*.[ch]')
bad=0
for f in $files; do
	[ -f "$f" ] || continue
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "format: $f is not clang-formatted (run: make format)"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "format: $(echo "$files" | wc -w) files clang-formatted"
exit $bad
