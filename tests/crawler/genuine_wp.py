"""A genuine WordPress for the crawler's integration tests: Debian's `wordpress` (6.1) on a
private MariaDB, served by `php -S` on loopback.

- `ensure_packages()` installs `wordpress mariadb-server php-cli php-mysql` with apt when
  they are missing and we are root (the Makefile's `wordpress-deps` does the same ahead of
  time); otherwise it says why in one line and the tests are skipped.
- `GenuineWordPress.start()` copies /usr/share/wordpress into a temporary directory with its
  own `wp-config.php`, initialises a MariaDB data directory there (`mariadb-install-db`),
  runs `mariadbd` on a socket of its own (no TCP port), installs WordPress through its own
  PHP API (`wp_install`), sets plain permalinks, Asia/Bangkok and the Thai locale, seeds the
  posts with `wp_insert_post`, and serves the copy with `php -S 127.0.0.1:<free port>`.
- A must-use plugin answers every REST request with 401 while a flag file exists
  (`rest(open=False)`), as a site that closes its API to anonymous visitors does; it can
  also turn the feeds (404) and the core sitemap off, or ignore `_embed`
  (`close("rest", "feed")`; `close()` opens everything).
- `stop()` ends the two processes it started (by their pid) and removes the directory.

Posts are changed between crawls through the same PHP API (`update_post`, `insert_post`,
`delete_post`), never through SQL of our own.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

WORDPRESS = Path("/usr/share/wordpress")
PACKAGES = ("wordpress", "mariadb-server", "php-cli", "php-mysql", "php-xml")
SITE_TITLE = "ประชาสัมพันธ์กรุงเทพมหานคร"
# Generous bounds for a loaded 2-core machine; each wait polls and ends as soon as it can.
START_TIMEOUT_S = 60
APT_LOCK_WAIT_S = 600

TOOL_PHP = r"""<?php
// Runs one command against the WordPress copy through its own API; JSON in, JSON out.
$request = json_decode(stream_get_contents(STDIN), true);
define('WP_INSTALLING', $request['command'] === 'install');
$_SERVER['HTTP_HOST'] = $request['host'];
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
require getenv('WP_ROOT') . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';

function term_ids($names) {
    $ids = array();
    foreach ($names as $name) {
        $found = term_exists($name, 'category');
        $ids[] = $found ? (int) $found['term_id'] : (int) wp_create_category($name);
    }
    return $ids;
}

function insert($post) {
    $data = array(
        'post_title' => $post['title'],
        'post_content' => $post['content'],
        'post_status' => $post['status'] ?? 'publish',
        'post_password' => $post['password'] ?? '',
        'post_author' => 1,
        'post_category' => term_ids($post['categories'] ?? array()),
        'tags_input' => $post['tags'] ?? array(),
    );
    if (!empty($post['date'])) {
        $data['post_date'] = $post['date'];
        $data['post_date_gmt'] = get_gmt_from_date($post['date']);
    }
    $id = wp_insert_post(wp_slash($data), true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }
    return $id;
}

wp_set_current_user(1);  // an administrator: block markup is stored as written
$out = array();
switch ($request['command']) {
case 'install':
    wp_install($request['title'], 'admin', 'admin@example.org', false, '', 'admin-password', 'th');
    wp_set_current_user(1);
    update_option('permalink_structure', '');
    update_option('timezone_string', 'Asia/Bangkok');
    update_option('gmt_offset', '');
    update_option('WPLANG', 'th');
    update_option('blog_public', '1');
    update_option('posts_per_rss', 10);
    update_option('posts_per_page', 10);
    // The sample post and page of a fresh install are not releases.
    wp_delete_post(1, true);
    wp_delete_post(2, true);
    foreach ($request['posts'] as $post) { $out[] = insert($post); }
    break;
case 'insert':
    $out = insert($request['post']);
    break;
case 'update':
    $changes = array('ID' => $request['id']);
    if (isset($request['content'])) { $changes['post_content'] = $request['content']; }
    if (isset($request['title'])) { $changes['post_title'] = $request['title']; }
    $result = wp_update_post(wp_slash($changes), true);
    if (is_wp_error($result)) { fwrite(STDERR, $result->get_error_message()); exit(1); }
    $out = get_post_field('post_modified', $request['id']);
    break;
case 'delete':
    $out = (bool) wp_delete_post($request['id'], true);
    break;
case 'version':
    $out = array('wp' => get_bloginfo('version'), 'locale' => get_locale(),
                 'timezone' => wp_timezone_string(), 'theme' => get_stylesheet());
    break;
}
echo json_encode($out);
"""

SWITCHES_PHP = r"""<?php
/* Plugin Name: Switches (tests): a site that closes its REST API (401 for every REST
   request), turns its feeds off (404) or its core sitemap off, or ignores `_embed` (as
   some caching and security plugins do), while a flag file exists. */
function bma_tests_closed($name) { return file_exists(__DIR__ . "/$name-closed.flag"); }
if (bma_tests_closed('embed')) { unset($_GET['_embed']); }
add_filter('rest_authentication_errors', function ($result) {
    if (bma_tests_closed('rest')) {
        return new WP_Error('rest_forbidden', 'REST API closed', array('status' => 401));
    }
    return $result;
});
add_action('template_redirect', function () {
    if (is_feed() && bma_tests_closed('feed')) {
        status_header(404);
        nocache_headers();
        echo 'Feeds are off';
        exit;
    }
}, 0);
add_filter('wp_sitemaps_enabled', function ($enabled) {
    return bma_tests_closed('sitemap') ? false : $enabled;
});
"""

# What Apache without rewrites does for a plain-permalink site: files are files, `/` is
# index.php, anything else (robots.txt, /wp-json/...) is a 404.
ROUTER_PHP = r"""<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/' || $path === '/index.php') {
    $_SERVER['SCRIPT_NAME'] = '/index.php';
    require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
    return true;
}
if (is_file($_SERVER['DOCUMENT_ROOT'] . $path)) { return false; }
http_response_code(404);
header('Content-Type: text/html; charset=UTF-8');
echo '<html><body><h1>Not Found</h1></body></html>';
return true;
"""

WP_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('AUTH_KEY', 'tests'); define('SECURE_AUTH_KEY', 'tests'); define('LOGGED_IN_KEY', 'tests');
define('NONCE_KEY', 'tests'); define('AUTH_SALT', 'tests'); define('SECURE_AUTH_SALT', 'tests');
define('LOGGED_IN_SALT', 'tests'); define('NONCE_SALT', 'tests');
define('WP_DEBUG', false);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
$table_prefix = 'wp_';
if (!defined('ABSPATH')) {{ define('ABSPATH', __DIR__ . '/'); }}
require_once ABSPATH . 'wp-settings.php';
"""


class Unavailable(Exception):  # noqa: N818 - a reason to skip, with the one line to show
    pass


def _missing() -> list[str]:
    need = {"wordpress": WORDPRESS / "wp-includes" / "version.php",
            "mariadb-server": Path("/usr/sbin/mariadbd"),
            "php-cli": Path("/usr/bin/php")}
    missing = [name for name, path in need.items() if not path.exists()]
    mysqli = subprocess.run(["php", "-r", "exit(function_exists('mysqli_connect') ? 0 : 1);"],
                            capture_output=True) if "php-cli" not in missing else None
    if mysqli is None or mysqli.returncode != 0:
        missing.append("php-mysql")
    xml = subprocess.run(["php", "-r", "exit(class_exists('SimpleXMLElement') ? 0 : 1);"],
                         capture_output=True) if "php-cli" not in missing else None
    if xml is None or xml.returncode != 0:
        missing.append("php-xml")  # the core sitemap needs SimpleXML
    return missing


def _apt_install(packages: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    deadline = time.monotonic() + APT_LOCK_WAIT_S
    updated = False
    while True:
        result = subprocess.run(["apt-get", "install", "-y", "-qq", *packages],
                                capture_output=True, text=True, env=env)
        if result.returncode == 0:
            return
        output = result.stdout + result.stderr
        if "Unable to locate package" in output or "has no installation candidate" in output:
            if updated:
                raise Unavailable(f"apt cannot find {' '.join(packages)}")
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env)
            updated = True
            continue
        if ("lock" in output.lower()) and time.monotonic() < deadline:
            time.sleep(5)  # another apt is running (someone installing chromium): wait
            continue
        last = output.strip().splitlines()[-1] if output.strip() else f"exit {result.returncode}"
        raise Unavailable(f"apt-get install {' '.join(packages)} failed: {last}")


def ensure_packages() -> None:
    """Raises Unavailable (one line) when the packages are missing and cannot be installed."""
    missing = _missing()
    if not missing:
        return
    if os.geteuid() != 0:
        raise Unavailable(f"genuine WordPress tests need {' '.join(missing)} "
                          "(run `make wordpress-deps` as root)")
    _apt_install(missing)
    if still := _missing():
        raise Unavailable(f"still missing after apt-get install: {' '.join(still)}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class GenuineWordPress:
    posts: list[dict]
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bma-genuine-wp-")))
    port: int = field(default_factory=_free_port)
    ids: list[int] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)  # seed key -> post id
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def docroot(self) -> Path:
        return self.root / "wordpress"

    @property
    def socket_path(self) -> Path:
        return self.root / "mysqld.sock"

    # --- lifecycle -------------------------------------------------------------------
    def start(self) -> GenuineWordPress:
        try:
            self._copy_wordpress()
            self._start_mariadb()
            self.ids = self.tool("install", title=SITE_TITLE, posts=self.posts)
            self._start_php()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.processes.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def _copy_wordpress(self) -> None:
        # A real copy, symlinks followed: PHP resolves __FILE__ through links, and Debian's
        # wp-config.php is a link to /etc/wordpress. Only the Thai translations are copied.
        def ignore(folder: str, names: list[str]) -> set[str]:
            if folder.endswith("wp-content/languages"):
                return {n for n in names if not (n.startswith("th") or n.startswith("admin-th")
                                                 or n.endswith("-th.mo") or n == "themes")}
            if folder == str(WORDPRESS):
                return {"wp-config.php", ".htaccess"}
            return set()

        shutil.copytree(WORDPRESS, self.docroot, symlinks=False, ignore=ignore)
        (self.docroot / "wp-config.php").write_text(
            WP_CONFIG.format(socket=self.socket_path, url=self.url), encoding="utf-8")
        plugins = self.docroot / "wp-content" / "mu-plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        (plugins / "switches.php").write_text(SWITCHES_PHP, encoding="utf-8")
        (self.docroot / "wp-content" / "uploads").mkdir(exist_ok=True)
        (self.root / "tool.php").write_text(TOOL_PHP, encoding="utf-8")
        (self.root / "router.php").write_text(ROUTER_PHP, encoding="utf-8")

    def _start_mariadb(self) -> None:
        datadir = self.root / "mysql"
        user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={datadir}",
                        "--auth-root-authentication-method=normal", "--skip-test-db",
                        *user], check=True, capture_output=True, timeout=START_TIMEOUT_S)
        log = open(self.root / "mariadb.log", "wb")  # noqa: SIM115 - lives as long as the server
        self.processes.append(subprocess.Popen(
            ["/usr/sbin/mariadbd", "--no-defaults", f"--datadir={datadir}",
             f"--socket={self.socket_path}", "--skip-networking", f"--pid-file={self.root / 'mysqld.pid'}",
             "--innodb-buffer-pool-size=32M", "--skip-log-bin", "--character-set-server=utf8mb4",
             *user], stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            ping = subprocess.run(["mariadb", "--no-defaults", f"--socket={self.socket_path}",
                                   "-uroot", "-e", "CREATE DATABASE IF NOT EXISTS wordpress "
                                   "CHARACTER SET utf8mb4"], capture_output=True)
            if ping.returncode == 0:
                return
            if self.processes[-1].poll() is not None or time.monotonic() > deadline:
                tail = (self.root / "mariadb.log").read_text(errors="replace")[-500:]
                raise Unavailable(f"mariadbd did not start: {tail.strip().splitlines()[-1:]}")
            time.sleep(0.2)

    def _start_php(self) -> None:
        log = open(self.root / "php.log", "wb")  # noqa: SIM115 - lives as long as the server
        self.processes.append(subprocess.Popen(
            # OPcache as a production PHP has it (off by default on the command line).
            ["php", "-d", "opcache.enable_cli=1", "-S", f"127.0.0.1:{self.port}", "-t", str(self.docroot),
             str(self.root / "router.php")],
            cwd=self.docroot, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/?feed=rss2", timeout=10) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.processes[-1].poll() is not None or time.monotonic() > deadline:
                raise Unavailable("php -S did not start")
            time.sleep(0.2)

    # --- WordPress's own API -----------------------------------------------------------
    def tool(self, command: str, **arguments):
        request = {"command": command, "host": f"127.0.0.1:{self.port}", **arguments}
        result = subprocess.run(["php", str(self.root / "tool.php")],
                                input=json.dumps(request, ensure_ascii=False),
                                capture_output=True, text=True, timeout=START_TIMEOUT_S,
                                env={**os.environ, "WP_ROOT": str(self.docroot)})
        if result.returncode != 0:
            raise RuntimeError(f"WordPress {command} failed: {(result.stderr or result.stdout)[-500:]}")
        return json.loads(result.stdout[result.stdout.rfind("\n") + 1:] or "null")

    def insert_post(self, post: dict) -> int:
        return int(self.tool("insert", post=post))

    def update_post(self, post_id: int, **changes: str) -> str:
        return str(self.tool("update", id=post_id, **changes))

    def delete_post(self, post_id: int) -> None:
        self.tool("delete", id=post_id)

    def close(self, *names: str) -> None:
        """Close some of "rest", "feed", "sitemap", "embed"; the others open (the must-use plugin)."""
        plugins = self.docroot / "wp-content" / "mu-plugins"
        for name in ("rest", "feed", "sitemap", "embed"):
            flag = plugins / f"{name}-closed.flag"
            if name in names:
                flag.write_text("closed\n", encoding="utf-8")
            else:
                flag.unlink(missing_ok=True)

    def rest(self, *, open: bool) -> None:  # noqa: A002 - reads as rest(open=False)
        self.close(*(() if open else ("rest",)))
