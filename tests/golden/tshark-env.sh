# tshark-env.sh - sourced by the golden scripts (make-golden.sh and those in its subfolders): checks that tshark is
# installed and defines run_tshark, which runs tshark with LC_ALL=C.UTF-8, TZ=UTC, HOME set to an empty temporary
# directory (removed at exit) and the Wireshark configuration variables unset, so that only tshark's built-in
# defaults apply; its stderr loses the "running as root" notice.

command -v tshark >/dev/null 2>&1 || { echo "ERROR: tshark not found; install it with: apt-get install -y tshark" >&2; exit 1; }

EMPTY_HOME="$(mktemp -d /tmp/httpsflow-golden.XXXXXX)"
trap 'rm -rf "$EMPTY_HOME"' EXIT

run_tshark() { # stdout as is; stderr without tshark's "running as root" notice
    local rc=0
    env -u WIRESHARK_CONFIG_DIR -u WIRESHARK_DATA_DIR -u XDG_CONFIG_HOME \
        HOME="$EMPTY_HOME" LC_ALL=C.UTF-8 TZ=UTC tshark "$@" 2>"$EMPTY_HOME/stderr" || rc=$?
    grep -v '^Running as user "root"' "$EMPTY_HOME/stderr" >&2 || true
    return "$rc"
}
