#!/usr/bin/env bash
# The CI step of reachproof (the GitHub Action and the GitLab template run it): `check` and `lint` with SARIF and
# JUnit output, a readable summary in the log, and the check's exit code (0 proved, 1 refuted or unknown, 2 input
# errors) once both reports are written.
# Environment (all optional; without paths and claims, .reachproof.yaml in REACHPROOF_DIR decides):
#   REACHPROOF_DIR      folder to run in (default: .)
#   REACHPROOF_PATHS    manifest paths, space-separated
#   REACHPROOF_CLAIMS   claims files, space-separated
#   REACHPROOF_OUT      folder for reachproof-check.sarif, reachproof-lint.sarif, reachproof-check.xml (default: .)
#   REACHPROOF_LINT     "false" to skip lint
#   REACHPROOF          the binary (default: reachproof on PATH)
set -uo pipefail
rp="${REACHPROOF:-reachproof}"
out="$(mkdir -p "${REACHPROOF_OUT:-.}" && cd "${REACHPROOF_OUT:-.}" && pwd)"
cd "${REACHPROOF_DIR:-.}" || exit 2
read -r -a paths <<< "${REACHPROOF_PATHS:-}"
claims=()
for c in ${REACHPROOF_CLAIMS:-}; do claims+=(--claims "$c"); done

"$rp" check "${paths[@]}" "${claims[@]}"
status=$?
if [ "$status" -eq 2 ]; then exit 2; fi
"$rp" check "${paths[@]}" "${claims[@]}" --format sarif --output "$out/reachproof-check.sarif" || true
"$rp" check "${paths[@]}" "${claims[@]}" --format junit --output "$out/reachproof-check.xml" || true
if [ "${REACHPROOF_LINT:-true}" != "false" ]; then
    "$rp" lint "${paths[@]}"
    "$rp" lint "${paths[@]}" --format sarif > "$out/reachproof-lint.sarif" || true
fi
echo "reports: $out/reachproof-check.sarif $out/reachproof-check.xml$([ "${REACHPROOF_LINT:-true}" != "false" ] && echo " $out/reachproof-lint.sarif")"
exit "$status"
