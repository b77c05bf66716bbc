#!/usr/bin/env bash
# Installs what the e2e suite needs to run the extension inside a real VS Code on a machine that
# can reach only the npm registry and Debian's apt (no VS Code download possible):
#   - Debian: chromium (the browser that shows code-server's workbench), libkrb5-dev (code-server's
#     kerberos addon is compiled from source offline) and ripgrep (seeds @vscode/ripgrep, below)
#   - npm: code-server (VS Code 1.100.3 workbench + a Node 20 extension host) and playwright-core,
#     into $E2E_HOME, a cache directory outside the repo.
# Idempotent: what is already there is skipped (a second run takes ~1 s). Needs root (or sudo) for apt.
# Usage: bash test/e2e/setup.sh
# Env:   E2E_HOME (default ${XDG_CACHE_HOME:-$HOME/.cache}/dockerfile-stages/vscode),
#        CODE_SERVER_VERSION (default 4.100.3), PLAYWRIGHT_VERSION (default 1.65.1)
set -euo pipefail
E2E_HOME="${E2E_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/dockerfile-stages/vscode}"
# 4.100.3 is the last code-server whose engines accept Node 20 (newer ones need Node 22/24).
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
PLAYWRIGHT_VERSION="${PLAYWRIGHT_VERSION:-1.65.1}"
mkdir -p "$E2E_HOME"
t0=$(date +%s)
step() { echo "[e2e setup] $1 after $(( $(date +%s) - t0 ))s"; }
sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)

# 1. Debian packages (~35 s when missing). flock: other processes on the machine may run apt too.
need=()
for p in chromium libkrb5-dev ripgrep; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  echo "[e2e setup] apt-get install ${need[*]}"
  "${sudo[@]}" flock /tmp/apt.lock apt-get update -qq
  "${sudo[@]}" flock /tmp/apt.lock env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
step "apt packages ready"

# 2. Seed @vscode/ripgrep's download cache with Debian's rg. Its postinstall otherwise asks
#    api.github.com (5 tries, ~30 s) and then fails the whole code-server install.
#    The path is os.tmpdir()/vscode-ripgrep-cache-<@vscode/ripgrep version>/<asset>; these are the
#    versions code-server 4.100.3 pulls in.
rgcache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
asset="$rgcache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$asset" ]; then
  mkdir -p "$rgcache"; d=$(mktemp -d); cp "$(command -v rg)" "$d/rg"; tar czf "$asset" -C "$d" rg; rm -rf "$d"
fi

# 3. code-server + playwright-core (~75-90 s on 2 cores with an empty npm cache: node-gyp compiles
#    node-pty, spdlog, kerberos, ... against /usr/include/node).
cd "$E2E_HOME"
[ -f package.json ] || echo '{ "name": "dockerfile-stages-e2e-vscode", "private": true }' > package.json
installed() { node_modules/.bin/code-server --config /dev/null --version 2>/dev/null | awk 'NR==1{print $1}'; }
if [ "$(installed)" != "$CODE_SERVER_VERSION" ] || [ ! -d node_modules/playwright-core ]; then
  echo "[e2e setup] npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION into $E2E_HOME"
  # unsafe_perm: code-server's postinstall refuses to run as root without it.
  # yes: node-pty's postinstall runs `npx node-gyp`, which aborts when ~/.npmrc says yes=false.
  # nodedir: build native addons against /usr/include/node instead of downloading headers.
  # (--config /dev/null above: without it code-server writes ~/.config/code-server/config.yaml.)
  npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr \
    npm install --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
fi
step "code-server + playwright-core installed"

# 4. Let code-server accept VS Code's --enable-smoke-test-driver: since ~1.10x the web client honours
#    extensionDevelopmentPath/extensionTestsPath in the URL payload only with it. code-shim.mjs passes
#    the flag when this patch is present. Harmless on 4.100.3 (which works without it).
cli=node_modules/code-server/out/node/cli.js
grep -q '"enable-smoke-test-driver"' "$cli" || sed -i \
  's/^    "disable-workspace-trust": {$/    "enable-smoke-test-driver": { type: "boolean" },\n    "disable-workspace-trust": {/' "$cli"
grep -q '"enable-smoke-test-driver"' "$cli" || echo "[e2e setup] warning: could not patch $cli (harmless for 4.100.3)" >&2

echo "[e2e setup] code-server $(installed), playwright-core $(node -p 'require("./node_modules/playwright-core/package.json").version'), chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
step "done ($(du -sh "$E2E_HOME" | cut -f1) in $E2E_HOME)"
