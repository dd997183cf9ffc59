# Helpers shared by the project's scripts. Source it; it defines functions and sets nothing else.

log() {
  printf '[%s] %s\n' "${LOG_PREFIX:-tus}" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# True when every named Debian package is installed.
packages_installed() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
}

# Installs the named Debian packages that are missing. Package scripts must not start system services
# (a system clamd or RabbitMQ would bind the default ports on all interfaces), so a policy-rc.d that denies
# them is put in place for the install when the machine has none.
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    packages_installed "$package" || missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  if ((EUID != 0)); then
    die "missing Debian packages: ${missing[*]} (run as root, or install them first)"
  fi

  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
  fi

  log "installing ${missing[*]}"
  local status=0
  {
    if [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null) ]]; then
      apt-get -o DPkg::Lock::Timeout=600 update -qq
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
      "${missing[@]}"
  } >&2 || status=$?
  if ((status != 0)) && [[ -z ${_APT_UPDATED:-} ]]; then
    # Stale package lists are the usual cause; refresh once and retry.
    _APT_UPDATED=1
    status=0
    {
      apt-get -o DPkg::Lock::Timeout=600 update -qq
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
        "${missing[@]}"
    } >&2 || status=$?
  fi

  if ((own_policy)); then
    rm -f "$policy"
  fi
  ((status == 0)) || die "apt-get could not install ${missing[*]}"
}

# True when the process exists and is not a zombie. A process that exited can linger as a zombie for a while
# here, and kill -0 still succeeds on it.
pid_alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# Prints the pid recorded in a pid file when that process is alive and its command line contains the
# expected text (guards against a recycled pid).
live_pid_from_file() {
  local file=$1 expected=$2 pid
  [[ -s $file ]] || return 1
  pid=$(tr -dc '0-9' <"$file")
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$expected" || return 1
  printf '%s\n' "$pid"
}

# Waits up to SECONDS for the process to be gone (or a zombie). Returns 1 if it is still alive.
wait_pid_gone() {
  local pid=$1 seconds=$2 deadline
  deadline=$((SECONDS + seconds))
  while pid_alive "$pid"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# Sends TERM, waits, then KILL; bounded in time.
terminate_pid() {
  local pid=$1 grace=${2:-20}
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_pid_gone "$pid" "$grace" && return 0
  log "pid $pid ignored TERM for ${grace}s; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait_pid_gone "$pid" 10
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

print_log_tail() {
  local file=$1
  if [[ -s $file ]]; then
    log "last lines of $file:"
    tail -n 40 "$file" >&2
  else
    log "(no log at $file)"
  fi
}
