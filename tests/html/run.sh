#!/bin/bash
# make test-html: the HTML report of a saved run in headless Chromium. Checks that the page loads
# with no console message (no script error, nothing blocked or fetched), that the browser's DOM
# has every chart the file has, that each chart's region of a screenshot shows ink and colour, and
# that the page prints. Leaves the screenshot in OUT/report.png.
# Usage: tests/html/run.sh LOADSCOPE RUN.json OUT_DIR PNGREGIONS
set -euo pipefail
loadscope=$1 run=$2 out=$3 pngregions=$4
chromium_timeout=20 # each of the three loads takes about 4 s
width=1200

fail() {
	echo "FAIL: test-html: $*" >&2
	exit 1
}

browser=$(command -v chromium || true)
[ -n "$browser" ] || fail "chromium is not installed (tools/install-deps.sh chromium installs it)"
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
page=$out/report.html

# Headless, with a profile of its own; scrollbars hidden so that the measured layout and the
# screenshot's are the same whatever the window's height.
chrome() {
	timeout "$chromium_timeout" "$browser" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$out/profile" --hide-scrollbars --force-device-scale-factor=1 \
		--no-first-run --enable-logging=stderr --v=0 "$@"
}

"$loadscope" report "$run" --threads --html "$page" >/dev/null ||
	fail "loadscope report $run --html failed"
charts=$(grep -o '<svg class="chart" id="[^"]*"' "$page" | sed 's/.*id="\([^"]*\)"/\1/' || true)
[ -n "$charts" ] || fail "the report has no chart"
echo "test-html: $(echo "$charts" | wc -l) charts in $page ($(stat -c %s "$page") bytes): $(echo $charts)"

# Self-contained: nothing to fetch, no script.
if grep -Eqi '<script|<link|<img|<iframe|src=|@import|@font-face' "$page"; then
	fail "the page refers to something outside itself: $(grep -Eoi '<script|<link|<img|<iframe|src=|@import|@font-face' "$page" | head -1)"
fi

# 1. Where each chart is, measured by the browser in a copy of the page with a script added (the
# report's own policy forbids scripts, so the copy drops it). The script also logs one console
# message, which proves that console messages reach the log checked in step 2.
here=$(dirname "$0")
{
	grep -v -e 'http-equiv="Content-Security-Policy"' -e '^</body>$' -e '^</html>$' "$page"
	printf '<script>\n'
	cat "$here/measure.js"
	printf '</script>\n</body>\n</html>\n'
} >"$out/measure.html"
chrome --dump-dom --window-size=$width,2400 "file://$out/measure.html" >"$out/measure.dom" \
	2>"$out/measure.log" || fail "chromium could not load the page (see $out/measure.log)"
grep -q 'CONSOLE.*test-html-measured' "$out/measure.log" ||
	fail "chromium's console messages are not in its log, so errors could not be seen"
for id in $charts; do
	grep -q "<svg class=\"chart\" id=\"$id\"" "$out/measure.dom" ||
		fail "chart $id is in the file but not in the browser's DOM"
	grep -q "^BOX $id " "$out/measure.dom" || fail "chart $id was not laid out"
done
height=$(sed -n 's/^HEIGHT //p' "$out/measure.dom")
[ -n "$height" ] && [ "$height" -gt 0 ] || fail "no page height measured"
[ "$height" -le 16000 ] || height=16000

# 2. The report itself, untouched: a screenshot of the whole page, and its console must be silent
# (a script error, a resource refused by the page's policy or not found would show there).
chrome --screenshot="$out/report.png" --window-size=$width,"$height" "file://$page" \
	>"$out/screenshot.out" 2>"$out/screenshot.log" ||
	fail "chromium could not take the screenshot (see $out/screenshot.log)"
[ -s "$out/report.png" ] || fail "no screenshot"
if grep -E ':CONSOLE|Refused to' "$out/screenshot.log" >"$out/console.txt"; then
	cat "$out/console.txt" >&2
	fail "the page logged console messages (above)"
fi

# 3. Every chart shows: ink and colour where the browser laid it out.
regions=$(sed -n 's/^BOX \([^ ]*\) \([0-9]*\) \([0-9]*\) \([0-9]*\) \([0-9]*\)$/\1:\2,\3,\4,\5/p' \
	"$out/measure.dom")
"$pngregions" "$out/report.png" $regions >"$out/regions.txt" || {
	cat "$out/regions.txt" >&2
	fail "a chart is blank in the screenshot (above)"
}
sed 's/^/test-html: /' "$out/regions.txt"

# 4. It prints: a PDF with pages.
chrome --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "file://$page" \
	>"$out/print.out" 2>"$out/print.log" || fail "chromium could not print the page"
pages=$(strings "$out/report.pdf" | grep -c '/Type /Page$\|/Type /Page[^s]' || true)
[ "$(head -c 5 "$out/report.pdf")" = "%PDF-" ] && [ "$pages" -gt 0 ] ||
	fail "printing gave no PDF pages"
echo "test-html: screenshot $out/report.png (${width}x$height), no console message, $pages printed pages"
