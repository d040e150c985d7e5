#!/usr/bin/env bash
# Fails when a recent commit of the current branch, or the working tree, breaks
# the proto contracts: runs `buf breaking` (buf.yaml: FILE rules) on each of the
# last commits that touched protos/ against its parent, then on the working
# tree against HEAD. Run by `make proto-lint`.
#
# BUF overrides the buf binary (default node_modules/.bin/buf, from `npm ci`);
# BREAKING_COMMITS overrides how many commits are checked (default 20). A
# shallow clone that lacks a checked commit's parent fails rather than passing
# unchecked: CI must fetch enough history (for example fetch-depth: 0).
set -euo pipefail

cd "$(git rev-parse --show-toplevel)"
buf="${BUF:-node_modules/.bin/buf}"
limit="${BREAKING_COMMITS:-20}"

if ! command -v "$buf" >/dev/null 2>&1; then
  echo "check_breaking: buf not found at '$buf'; run 'npm ci' first" >&2
  exit 2
fi

failed=0
compared=0

# Compares two buf inputs; a breaking change is reported and remembered, and
# the loop goes on so that one run lists every offending commit.
compare() {
  local label=$1 input=$2 against=$3
  echo "check_breaking: $label"
  if "$buf" breaking "$input" --against "$against"; then
    compared=$((compared + 1))
  else
    echo "check_breaking: BREAKING: $label" >&2
    failed=1
  fi
}

# The commits come from a command substitution so that a git failure stops the
# script instead of silently checking nothing.
commits=$(git log -n "$limit" --format=%H -- protos)
for commit in $commits; do
  short=$(git rev-parse --short "$commit")
  if ! parent=$(git rev-parse --verify --quiet "${commit}^"); then
    if [ "$(git rev-parse --is-shallow-repository)" = "true" ]; then
      echo "check_breaking: the parent of $short is not in this shallow clone; fetch more history (git fetch --unshallow)" >&2
      failed=1
    else
      echo "check_breaking: $short is the first commit; nothing to compare"
    fi
    continue
  fi
  if ! git cat-file -e "${parent}:protos/maitred" 2>/dev/null; then
    echo "check_breaking: $short introduces protos/maitred (its parent has none); nothing to compare"
    continue
  fi
  compare "commit $short against its parent $(git rev-parse --short "$parent")" \
    ".git#ref=${commit},subdir=protos" ".git#ref=${parent},subdir=protos"
done

if git cat-file -e "HEAD:protos/maitred" 2>/dev/null; then
  compare "working tree against HEAD" "protos" ".git#ref=HEAD,subdir=protos"
else
  echo "check_breaking: HEAD has no protos/maitred; nothing to compare the working tree against"
fi

if [ "$failed" -ne 0 ]; then
  echo "check_breaking: FAILED (see above); never renumber, rename or retype a field" >&2
  exit 1
fi
echo "check_breaking: OK ($compared comparisons, no breaking change)"
