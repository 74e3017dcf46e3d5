#!/usr/bin/env bash
# Starts a private sshd on 127.0.0.1 for the SSH fleeting plugin tests:
#   sshd-up.sh DIR [PORT]
# DIR receives a host key, a client key pair for the current user, the sshd configuration and log, a known_hosts
# file that trusts the host key, and DIR/sshd.env with:
#   AUTOGIT_SSH_HOST, AUTOGIT_SSH_PORT, AUTOGIT_SSH_USER, AUTOGIT_SSH_KEY, AUTOGIT_SSH_KNOWN_HOSTS, AUTOGIT_SSHD_DIR
# PORT defaults to a free high port. Needs Debian's openssh-server. Stop it with sshd-down.sh DIR.
set -euo pipefail
source "$(dirname "$0")/common.sh"

[ $# -ge 1 ] || die "usage: sshd-up.sh DIR [PORT]"
[ -x /usr/sbin/sshd ] || die "/usr/sbin/sshd is missing (apt-get install openssh-server)"
command -v ssh-keygen >/dev/null || die "ssh-keygen is missing"
mkdir -p "$1"
dir=$(cd "$1" && pwd)
started=$(date +%s%N)
user=$(id -un)
port=${2:-$(free_port)}

ssh-keygen -q -t ed25519 -N '' -C autogit-test-host -f "$dir/host_key" <<<y >/dev/null
ssh-keygen -q -t ed25519 -N '' -C autogit-test-client -f "$dir/id_ed25519" <<<y >/dev/null
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
chmod 0600 "$dir/id_ed25519" "$dir/host_key"

# The privilege-separation directory is compiled into sshd.
mkdir -p /run/sshd
chmod 0755 /run/sshd

cat >"$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
MaxStartups 200
MaxSessions 200
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
LogLevel INFO
CONF
/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"

ssh_ready() {
    ssh -q -i "$dir/id_ed25519" -p "$port" -o BatchMode=yes -o StrictHostKeyChecking=yes \
        -o UserKnownHostsFile="$dir/known_hosts" -o ConnectTimeout=2 "$user@127.0.0.1" true
}
if ! wait_for 15 ssh_ready; then
    cat "$dir/sshd.log" >&2 || true
    die "sshd did not accept the test key on 127.0.0.1:$port"
fi

cat >"$dir/sshd.env" <<ENV
AUTOGIT_SSH_HOST=127.0.0.1
AUTOGIT_SSH_PORT=$port
AUTOGIT_SSH_USER=$user
AUTOGIT_SSH_KEY=$dir/id_ed25519
AUTOGIT_SSH_KNOWN_HOSTS=$dir/known_hosts
AUTOGIT_SSHD_DIR=$dir
ENV
echo "sshd up in $(elapsed_ms "$started") ms on 127.0.0.1:$port for $user"
