#!/usr/bin/env bash
# CONVENTIONS.md: only tui/ includes curses, and inside tui/ only through
# tui/tuicurses.h. Fails naming every other file that does.
set -u
cd "$(dirname "$0")/../.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null; git ls-files --others --exclude-standard '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find . -path ./build -prune -o -name '*.[ch]' -print | sed 's|^\./||')
pattern='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](n?cursesw?/)?(n?curses|cursesw|ncursesw|term|panel|menu|form)\.h[>"]'
bad=0 n=0
for f in $files; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if grep -Eq "$pattern" "$f" && [ "$f" != tui/tuicurses.h ]; then
		echo "curses-include: $f includes curses; only tui/tuicurses.h may (CONVENTIONS.md)"
		grep -En "$pattern" "$f" | sed 's/^/  /'
		bad=1
	fi
done
if ! grep -Eq "$pattern" tui/tuicurses.h; then
	echo "curses-include: tui/tuicurses.h no longer includes curses; this check is stale"
	bad=1
fi
[ $bad -eq 0 ] && echo "curses-include: $n C files, only tui/tuicurses.h includes curses"
exit $bad
