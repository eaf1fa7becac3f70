"""The app and site layers, the operator's URL policy, provider kinds, and one bad variable
breaking only the providers that read it (issue 11)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import registry
from registry import ConfigError, paths
from registry.urls import UrlPolicy

LAYERS = ("default", "app", "site", "user", "env")
BUILTIN_VLLM = "http://127.0.0.1:8000/v1"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def vllm_base(url: str) -> str:
    return f"version: 1\nproviders:\n  vllm:\n    api_base: {url}\n"


class Setup:
    """A defaults file, a site file (named by PROVIDER_REGISTRY_SITE_CONFIG) and a user file in tmp."""

    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path
        self.defaults: Path | None = None
        self.site: Path | None = None
        self.user: Path = write(tmp_path / "user.yaml", "version: 1\n")
        self.environ: dict[str, str] = {}

    def app_file(self, text: str) -> Path:
        self.defaults = write(self.dir / "app.yaml", text)
        return self.defaults

    def site_file(self, text: str) -> Path:
        self.site = write(self.dir / "site.yaml", text)
        self.environ[paths.SITE_CONFIG_ENV] = str(self.site)
        return self.site

    def user_file(self, text: str) -> Path:
        return write(self.user, text)

    def load(self, **options: object) -> registry.Registry:
        return registry.load(config_path=self.user, environ=self.environ, defaults=self.defaults, **options)

    def inspect(self, **options: object) -> registry.LoadReport:
        return registry.inspect(config_path=self.user, environ=self.environ, defaults=self.defaults, **options)


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return Setup(tmp_path)


# --- precedence: every pair of the five layers -------------------------------------------------

def _write_layer(setup: Setup, layer: str) -> str:
    """Make ``layer`` set vllm's base URL; return the URL it sets."""
    if layer == "default":
        return BUILTIN_VLLM
    url = f"http://{layer}-box:8000/v1"
    if layer == "env":
        setup.environ["VLLM_BASE_URL"] = url
    else:
        {"app": setup.app_file, "site": setup.site_file, "user": setup.user_file}[layer](vllm_base(url))
    return url


@pytest.mark.parametrize(("lower", "higher"), list(itertools.combinations(LAYERS, 2)),
                         ids=lambda pair: str(pair))
def test_every_higher_layer_overrides_every_lower_one(setup: Setup, lower: str, higher: str) -> None:
    _write_layer(setup, lower)
    wanted = _write_layer(setup, higher)
    reg = setup.load()
    assert reg.resolve("vllm/m")["api_base"] == wanted
    assert reg.origin("vllm", "api_base").layer == higher
    assert [source.layer for source in reg.layers] == list(LAYERS)


def test_origins_name_the_app_and_site_files_with_lines(setup: Setup) -> None:
    app = setup.app_file("version: 1\nproviders:\n  ollama:\n    description: from the host\n")
    site = setup.site_file("version: 1\nproviders:\n  ollama:\n    timeout: 42\n")
    reg = setup.load()
    assert reg.origin("ollama", "description") == registry.Origin("app", str(app), 4)
    assert reg.origin("ollama", "timeout") == registry.Origin("site", str(site), 4)
    assert {s.layer: (s.source, s.exists, s.reason) for s in reg.layers}["app"] == (str(app), True, "defaults")


def test_host_defaults_disable_a_builtin_and_set_a_placeholder_the_user_still_overrides(setup: Setup) -> None:
    setup.app_file("version: 1\nproviders:\n  openai-compat:\n    enabled: false\n"
                   "  vllm:\n    api_key: host-placeholder\n")
    reg = setup.load()
    assert "openai-compat" not in reg.providers and reg.disabled == {"openai-compat": "openai-compat"}
    assert not reg.check_model_id("openai-compat/m").ok
    assert reg.resolve("vllm/m")["api_key"] == "host-placeholder" and reg.origin("vllm", "api_key").layer == "app"
    setup.user_file("version: 1\nproviders:\n  openai-compat:\n    enabled: true\n  vllm:\n    api_key: mine\n")
    reg = setup.load()
    assert reg.resolve("openai-compat/m")["api_base"] == "http://127.0.0.1:8000/v1"
    assert reg.resolve("vllm/m")["api_key"] == "mine" and reg.origin("vllm", "api_key").layer == "user"


def test_a_defaults_file_given_on_purpose_must_exist(setup: Setup) -> None:
    setup.defaults = setup.dir / "missing-app.yaml"
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert info.value.path == str(setup.dir / "missing-app.yaml") and "not found" in info.value.message


def test_a_broken_app_or_site_file_fails_the_load_located_in_it(setup: Setup) -> None:
    setup.app_file("version: 1\nproviders:\n  vllm:\n    api_bse: http://x:1\n")
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert (info.value.path, info.value.line) == (str(setup.defaults), 4)
    setup.defaults = None
    setup.site_file("version: 1\nfallback: olama\n")
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert (info.value.path, info.value.line, info.value.hint) == (str(setup.site), 2, "did you mean 'ollama'?")


# --- where the site file is --------------------------------------------------------------------

def test_site_file_comes_from_xdg_config_dirs_in_environ(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    environ = {"XDG_CONFIG_DIRS": f"relative/dir:{first}:{second}"}  # relative entries are ignored (XDG)
    assert paths.site_config_dirs("my-agent", environ) == (first / "my-agent", second / "my-agent")
    assert paths.find_site_file("my-agent", environ) == paths.FileLocation(
        str(first / "my-agent" / "providers.yaml"), "system")  # none exists: the first, absent (fine)
    site = write(second / "my-agent" / "providers.yaml", vllm_base("http://second:1/v1"))
    reg = registry.load("my-agent", config_path=write(tmp_path / "u.yaml", "version: 1\n"), environ=environ)
    assert reg.resolve("vllm/m")["api_base"] == "http://second:1/v1"
    assert reg.origin("vllm", "api_base") == registry.Origin("site", str(site), 4)
    write(first / "my-agent" / "providers.yaml", vllm_base("http://first:1/v1"))  # the first directory wins
    assert registry.load("my-agent", environ=environ).resolve("vllm/m")["api_base"] == "http://first:1/v1"


def test_site_default_is_etc_xdg_and_missing_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_DEFAULT_XDG_CONFIG_DIRS", "/etc/xdg")
    assert paths.site_config_dirs(environ={}) == (Path("/etc/xdg/provider-registry"),)
    assert paths.site_config_dirs(environ={"XDG_CONFIG_DIRS": "  "}) == (Path("/etc/xdg/provider-registry"),)


def test_site_config_variable_must_name_an_existing_file(setup: Setup) -> None:
    setup.environ[paths.SITE_CONFIG_ENV] = str(setup.dir / "nope.yaml")
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert "not found" in info.value.message
    setup.environ[paths.SITE_CONFIG_ENV] = "bad\x00path"
    issue = registry.loader.check_file_settings(environ=setup.environ)
    assert issue is not None and issue.env_var == paths.SITE_CONFIG_ENV


# --- the operator's URL policy -----------------------------------------------------------------

@pytest.mark.parametrize("setting", ["url_policy: strict", "allowed_hosts: [api.example.com]"])
def test_a_user_file_may_not_set_the_url_policy(setup: Setup, setting: str) -> None:
    setup.user_file(f"version: 1\n{setting}\n")
    with pytest.raises(ConfigError) as info:
        setup.load()
    name = setting.split(":")[0]
    assert (info.value.path, info.value.line) == (str(setup.user), 2)
    assert info.value.message == (f"a user file cannot set {name!r}: only the host's defaults (load(defaults=...), "
                                  "registry --defaults) and the operator's site file may set it")
    assert "PROVIDER_REGISTRY_URL_POLICY=strict" in info.value.hint


@pytest.mark.parametrize("layer", ["app", "site"])
def test_an_operator_file_sets_strict_and_trusts_its_own_hosts(setup: Setup, layer: str) -> None:
    text = "version: 1\nurl_policy: strict\nproviders:\n  vllm:\n    api_base: http://gpu-box.corp:8000/v1\n"
    (setup.app_file if layer == "app" else setup.site_file)(text)
    reg = setup.load()
    assert reg.url_policy == UrlPolicy("strict")
    assert reg.settings_origins["url_policy"].layer == layer
    assert reg.resolve("vllm/m")["api_base"] == "http://gpu-box.corp:8000/v1"  # http and unlisted: the operator wrote it
    setup.user_file(vllm_base("https://elsewhere.example/v1"))  # the user's hosts need the allow-list
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert info.value.first.rule == "strict-allow-list" and info.value.path == str(setup.user)


def test_an_operator_allow_list_admits_user_hosts(setup: Setup) -> None:
    setup.site_file("version: 1\nurl_policy: strict\nallowed_hosts: [.corp.example, 10.0.0.5]\n")
    setup.user_file(vllm_base("https://gpu.corp.example/v1"))
    reg = setup.load()
    assert reg.url_policy == UrlPolicy("strict", (".corp.example", "10.0.0.5"))
    assert reg.resolve("vllm/m")["api_base"] == "https://gpu.corp.example/v1"
    assert reg.settings_origins["allowed_hosts"] == registry.Origin("site", str(setup.site), 3)


def test_the_environment_cannot_loosen_an_operators_strict_policy(setup: Setup) -> None:
    setup.site_file("version: 1\nurl_policy: strict\nallowed_hosts: [api.example.com]\n")
    setup.environ.update({"PROVIDER_REGISTRY_URL_POLICY": "default", "PROVIDER_REGISTRY_ALLOWED_HOSTS": "evil.example",
                          "VLLM_BASE_URL": "https://evil.example/v1"})
    report = setup.inspect()
    reg = report.registry
    assert reg is not None and reg.url_policy == UrlPolicy("strict", ())  # the intersection is empty
    warnings = {w.env_var: w.message for w in report.warnings}
    assert warnings["PROVIDER_REGISTRY_URL_POLICY"].startswith("'default' cannot loosen the strict URL policy set in")
    assert "evil.example" in warnings["PROVIDER_REGISTRY_ALLOWED_HOSTS"] and "ignored" in warnings["PROVIDER_REGISTRY_ALLOWED_HOSTS"]
    assert "vllm" in reg.unavailable and "strict URL policy" in reg.unavailable["vllm"]
    assert reg.resolve("ollama/m")["api_base"] == "http://localhost:11434/v1"
    # the url_policy argument cannot loosen it either
    setup.environ = {paths.SITE_CONFIG_ENV: str(setup.site)}
    assert setup.load(url_policy="default").url_policy == UrlPolicy("strict", ("api.example.com",))
    assert setup.load(url_policy=UrlPolicy("default")).url_policy.name == "strict"


def test_the_environment_may_narrow_an_operators_allow_list(setup: Setup) -> None:
    setup.site_file("version: 1\nurl_policy: strict\nallowed_hosts: [.example.com, 10.0.0.5]\n")
    setup.environ["PROVIDER_REGISTRY_ALLOWED_HOSTS"] = "api.example.com"
    report = setup.inspect()
    assert report.registry is not None and report.registry.url_policy == UrlPolicy("strict", ("api.example.com",))
    assert report.warnings == ()
    setup.environ["VLLM_BASE_URL"] = "https://other.example.com/v1"
    assert "vllm" in setup.load().unavailable  # allowed by the operator, not by the narrower request


def test_the_environment_may_tighten_a_default_policy(setup: Setup) -> None:
    setup.site_file("version: 1\nurl_policy: default\nallowed_hosts: [gpu.lan]\n")
    setup.environ["PROVIDER_REGISTRY_URL_POLICY"] = "strict"
    reg = setup.load()
    assert reg.url_policy == UrlPolicy("strict", ("gpu.lan",))  # the operator's list applies once strict
    assert reg.settings_origins["url_policy"] == registry.Origin("env", "PROVIDER_REGISTRY_URL_POLICY")
    setup.user_file(vllm_base("http://gpu.lan:8000/v1"))
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert info.value.first.rule == "strict-https"


def test_a_bad_allow_list_entry_in_a_site_file_is_located_at_the_item(setup: Setup) -> None:
    setup.site_file("version: 1\nurl_policy: strict\nallowed_hosts:\n  - api.example.com\n  - 169.254.169.254\n")
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert (info.value.line, info.value.pointer) == (5, "$.allowed_hosts[1]")
    assert "cloud metadata" in info.value.message


def test_a_bad_policy_variable_still_fails_the_load(setup: Setup) -> None:
    setup.environ["PROVIDER_REGISTRY_URL_POLICY"] = "strcit"
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert info.value.env_var == "PROVIDER_REGISTRY_URL_POLICY" and "did you mean 'strict'" in info.value.message


# --- one bad variable breaks only its readers --------------------------------------------------

BAD_VALUES = {
    "no scheme": ("VLLM_BASE_URL", "localhost:8000", "scheme"),
    "metadata": ("VLLM_BASE_URL", "http://169.254.169.254/v1", "blocked-address"),
    "userinfo": ("VLLM_BASE_URL", "http://u:p@box/v1", "userinfo"),
    "endpoint": ("VLLM_BASE_URL", "http://box:8000/v1/chat/completions", "endpoint-path"),
    "key inner space": ("VLLM_API_KEY", "sk-abc def-1234", None),
    "key control": ("VLLM_API_KEY", "sk-abc\x1bdef", None),
    "key non-ascii": ("VLLM_API_KEY", "sk-abcé", None),
}


@pytest.mark.parametrize("case", list(BAD_VALUES), ids=list(BAD_VALUES))
def test_a_bad_variable_makes_only_its_reader_unavailable(setup: Setup, case: str) -> None:
    var, value, rule = BAD_VALUES[case]
    setup.environ[var] = value
    report = setup.inspect()
    reg = report.registry
    assert reg is not None and not report.ok  # still an error: validate fails
    assert list(reg.unavailable) == ["vllm"] and reg.unavailable["vllm"].startswith(f"env {var}: ")
    with pytest.raises(ConfigError) as info:
        reg.resolve("vllm/m", api_key="a-session-key")
    assert info.value.env_var == var and info.value.hint and (rule is None or info.value.first.rule == rule)
    check = reg.check_model_id("vllm/m")
    assert (check.ok, check.provider, check.reason) == (False, "vllm", reg.unavailable["vllm"])
    assert not reg.is_valid_model_id("vllm/m")
    for model_id in ("ollama/m", "lm_studio/m", "llamacpp/m", "openai-compat/m"):
        assert reg.resolve(model_id)["api_key"] and reg.check_model_id(model_id).ok
    with pytest.raises(ConfigError) as strict:
        setup.load(strict=True)
    assert strict.value.env_var == var
    if var.endswith("_API_KEY"):  # a key, even a malformed one, is never shown
        assert all(value not in text for text in (repr(reg), str(info.value), reg.unavailable["vllm"], repr(check)))


def test_a_shared_variable_affects_exactly_the_providers_that_read_it(setup: Setup) -> None:
    setup.environ.update({"LOCAL_LLM_BASE_URL": "localhost:9999", "OLLAMA_BASE_URL": "http://ollama-box:11434"})
    reg = setup.load()
    # ollama reads OLLAMA_BASE_URL first (set and fine); the others fall through to the bad one
    assert sorted(reg.unavailable) == ["llamacpp", "lm_studio", "openai-compat", "vllm"]
    assert all(reason.startswith("env LOCAL_LLM_BASE_URL: ") for reason in reg.unavailable.values())
    assert reg.resolve("ollama/m")["api_base"] == "http://ollama-box:11434/v1"
    assert "huggingface" not in reg.unavailable
    setup.user_file("version: 1\nproviders:\n  mine:\n    api_base: http://mine:1/v1\n    api_base_env: LOCAL_LLM_BASE_URL\n")
    assert "mine" in setup.load().unavailable  # a user provider that names the variable reads it too


def test_a_file_error_still_fails_the_whole_load(setup: Setup) -> None:
    setup.user_file(vllm_base("http://169.254.169.254/v1"))
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert info.value.path == str(setup.user) and info.value.first.rule == "blocked-address"


def test_surrounding_whitespace_of_an_environment_value_is_stripped(setup: Setup) -> None:
    setup.environ.update({"HF_TOKEN": " hf_abc123def456\r\n", "VLLM_BASE_URL": "  http://box:1/v1\n",
                          "OLLAMA_API_KEY": " \t\n", "LOCAL_LLM_API_KEY": "from-the-shared-variable"})
    reg = setup.load()
    assert reg.unavailable == {}
    assert reg.resolve("moonshotai/Kimi-K2.6")["api_key"] == "hf_abc123def456"
    assert reg.resolve("vllm/m")["api_base"] == "http://box:1/v1"
    # a variable holding only whitespace counts as unset: the next one in the list is read
    assert reg.resolve("ollama/m")["api_key"] == "from-the-shared-variable"
    assert reg.origin("ollama", "api_key") == registry.Origin("env", "LOCAL_LLM_API_KEY")


def test_load_logs_each_unavailable_provider(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    setup.environ["VLLM_BASE_URL"] = "localhost:8000"
    with caplog.at_level("WARNING", logger="registry"):
        setup.load()
    assert any(r.getMessage().startswith("provider 'vllm' is unavailable: env VLLM_BASE_URL: ") for r in caplog.records)


# --- a valid id is a property of the id ---------------------------------------------------------

def test_a_hosted_id_is_valid_before_its_key_is_known(setup: Setup) -> None:
    reg = setup.load()
    check = reg.check_model_id("moonshotai/Kimi-K2.6")
    assert (check.ok, check.provider, check.key_missing) == (True, "huggingface", True)
    assert check.key_hint == str(reg.provider("huggingface").missing_key_error())
    assert check.key_hint.startswith("provider 'huggingface' needs an API key and none is configured; "
                                     "set HF_TOKEN or HUGGING_FACE_HUB_TOKEN, or put it in ")
    assert reg.is_valid_model_id("moonshotai/Kimi-K2.6")
    with pytest.raises(registry.MissingApiKeyError):
        reg.resolve("moonshotai/Kimi-K2.6")  # never lets LiteLLM fall back to OPENAI_API_KEY
    assert reg.resolve("moonshotai/Kimi-K2.6", api_key="hf_session")["api_key"] == "hf_session"
    keyed = reg.check_model_id("ollama/llama3.1:8b")
    assert (keyed.ok, keyed.key_missing, keyed.key_hint) == (True, False, None)
    bad = reg.check_model_id("ollama/")
    assert not bad.ok and not bad.key_missing


# --- kind ---------------------------------------------------------------------------------------

def test_builtin_kinds_and_derived_kinds(setup: Setup) -> None:
    setup.user_file("version: 1\nproviders:\n"
                    "  lan:\n    api_base: http://10.1.2.3:8000/v1\n"
                    "  box:\n    api_base: http://gpu-box:8000/v1\n"
                    "  cloud:\n    api_base: https://api.together.example/v1\n"
                    "  mine:\n    kind: hosted\n    api_base: http://127.0.0.1:4000/v1\n")
    reg = setup.load()
    kinds = {name: provider.kind for name, provider in reg.providers.items()}
    assert kinds == {"ollama": "local", "lm_studio": "local", "vllm": "local", "llamacpp": "local",
                     "openai-compat": "local", "huggingface": "hosted", "lan": "local", "box": "local",
                     "cloud": "hosted", "mine": "hosted"}
    assert reg.origin("huggingface", "kind").layer == "default" and reg.origin("huggingface", "kind").line
    assert reg.origin("cloud", "kind") == registry.Origin("default", "derived from api_base")
    assert reg.origin("mine", "kind").layer == "user"


def test_an_unknown_kind_is_a_schema_error(setup: Setup) -> None:
    setup.user_file("version: 1\nproviders:\n  ollama:\n    kind: remote\n")
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert (info.value.line, info.value.pointer) == (4, "$.providers.ollama.kind")


def test_who_may_set_the_policy_is_said_beside_other_schema_errors(setup: Setup) -> None:
    setup.user_file("version: 1\nurl_policy: strict\nproviders:\n  ollama:\n    api_bse: http://x:1\n")
    report = setup.inspect()
    assert {issue.rule for issue in report.errors} == {"operator-setting", "additionalProperties"}


def test_a_huge_xdg_config_dirs_costs_a_bounded_number_of_stats(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_DIRS": ":".join(f"/nonexistent/{i}" for i in range(100_000))}
    dirs = paths.site_config_dirs(environ=environ)
    assert len(dirs) == paths.MAX_SITE_DIRS and dirs[0] == Path("/nonexistent/0/provider-registry")
    assert registry.load(environ=environ).resolve("ollama/m")["api_base"] == "http://localhost:11434/v1"


def test_a_missing_app_or_site_file_names_its_setting_not_registry_init(setup: Setup) -> None:
    setup.defaults = setup.dir / "missing-app.yaml"
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert info.value.hint == "check the path given as defaults= or --defaults: the host's own providers file"
    setup.defaults = None
    setup.environ[paths.SITE_CONFIG_ENV] = str(setup.dir / "missing-site.yaml")
    with pytest.raises(ConfigError) as info:
        setup.load()
    assert info.value.hint == "check the path, or unset PROVIDER_REGISTRY_SITE_CONFIG to read the system config directory"
