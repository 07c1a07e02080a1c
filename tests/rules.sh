#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The rule book (ht_rules.h) on the host, with ASan and UBSan: a table of
# events and the verdicts both backends must come to (tests/rules/).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/rules-test
mkdir -p "$OUT"
clang -std=c11 -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -g -O1 -o "$OUT/rules_test" \
	"$TOP/tests/rules/rules_test.c" "$TOP/ht_kinds.c"
"$OUT/rules_test" >"$OUT/rules_test.log" || {
	grep -A2 '^not ok' "$OUT/rules_test.log"
	exit 1
}
echo "$(grep -c '^ok' "$OUT/rules_test.log") rule checks passed"
