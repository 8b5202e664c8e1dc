#!/usr/bin/env bash
# Best effort: install Debian's Chromium for the browser (briefing HTML) tests.
# Never fails the build: without Chromium those tests skip with a message.
# Deliberately no `set -e`: every failure path below must end in `exit 0`.

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "${EUID}" -ne 0 ]; then
    echo "ensure_chromium: $CHROMIUM missing and not root; browser tests will skip" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: $CHROMIUM missing and no apt-get; browser tests will skip" >&2
    exit 0
fi

echo "ensure_chromium: installing chromium with apt-get (one-off, quiet)..." >&2
export DEBIAN_FRONTEND=noninteractive
# Wait (bounded) for another apt/dpkg run instead of failing on its lock.
APT_OPTS=(-qq -o DPkg::Lock::Timeout=120)
if timeout 300 apt-get "${APT_OPTS[@]}" update >/dev/null \
    && timeout 900 apt-get "${APT_OPTS[@]}" install -y chromium fonts-noto-cjk >/dev/null; then
    echo "ensure_chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)" >&2
else
    echo "ensure_chromium: could not install chromium; browser tests will skip" >&2
fi
exit 0
