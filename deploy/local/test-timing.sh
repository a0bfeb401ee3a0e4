#!/usr/bin/env bash
# test-timing.sh ROOT OUT: the ten slowest test classes of the last `mvn verify` under ROOT (from the
# surefire and failsafe XML reports of every module), printed as a table and written to OUT as JSON
# with every class's time. Prints nothing and writes nothing when there are no reports.
set -euo pipefail
root=$1 out=$2
mapfile -t reports < <(find "$root" -path '*/target/surefire-reports/TEST-*.xml' -o -path '*/target/failsafe-reports/TEST-*.xml' 2>/dev/null)
((${#reports[@]})) || exit 0
rows=$(for f in "${reports[@]}"; do
  module=${f#"$root"/}; module=${module%%/*}
  grep -o -m1 '<testsuite [^>]*' "$f" | sed -n 's/.* name="\([^"]*\)".* time="\([^"]*\)".* tests="\([^"]*\)".*/\2 \1 \3/p' \
    | tr -d ',' | awk -v m="$module" '{ printf "%s %s %s %s\n", $1, m, $2, $3 }'
done | sort -rn -k1,1)
total=$(awk '{ s += $1 } END { printf "%.1f", s }' <<<"$rows")
echo "slowest test classes (of $(wc -l <<<"$rows"), ${total} s in all):"
head -10 <<<"$rows" | awk '{ printf "  %8.1f s  %-10s %s (%s tests)\n", $1, $2, $3, $4 }'
mkdir -p "$(dirname "$out")"
{
  echo "{"
  echo "  \"total_s\": $total,"
  echo "  \"classes\": ["
  awk '{ printf "%s    {\"class\": \"%s\", \"module\": \"%s\", \"seconds\": %s, \"tests\": %s}", (NR > 1 ? ",\n" : ""), $3, $2, $1, $4 }' <<<"$rows"
  echo
  echo "  ]"
  echo "}"
} >"$out"
echo "written: $out"
