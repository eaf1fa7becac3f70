"""Unit tests for registry.load / inspect: layer precedence (one test per pair), merging, adding
and disabling providers, the fallback setting, origins and how problems are reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pytest

import registry
from registry import ConfigError, InvalidModelIdError, Origin, loader, paths
from registry.paths import builtin_providers_path

BUILTIN = str(builtin_providers_path())


def builtin_line(text: str, after: str | None = None) -> int:
    """1-based line of the first line of the built-in file containing ``text`` (after ``after``)."""
    lines = Path(BUILTIN).read_text(encoding="utf-8").splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


@pytest.fixture
def user(tmp_path: Path):
    """``user(text)`` writes the user file and returns its path."""

    def write(text: str) -> Path:
        path = tmp_path / "providers.yaml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        return path

    return write


def load(path: Path, environ: Mapping[str, str] | None = None, **options: Any) -> registry.Registry:
    return registry.load(config_path=path, environ=dict(environ or {}), **options)


VLLM_BASE = "version: 1\nproviders:\n  vllm:\n    api_base: http://user-box:8000/v1\n"


# --- one test per precedence pair ----------------------------------------------------------------

def test_user_beats_default(user) -> None:
    path = user(VLLM_BASE)
    reg = load(path)
    assert reg.resolve("vllm/m")["api_base"] == "http://user-box:8000/v1"
    assert reg.origin("vllm", "api_base") == Origin("user", str(path), 4)


def test_env_beats_user(user) -> None:
    reg = load(user(VLLM_BASE), {"VLLM_BASE_URL": "http://env-box:8000/v1"})
    assert reg.resolve("vllm/m")["api_base"] == "http://env-box:8000/v1"
    assert reg.origin("vllm", "api_base") == Origin("env", "VLLM_BASE_URL")


def test_env_beats_default(user) -> None:
    reg = load(user(""), {"VLLM_BASE_URL": "http://env-box:8000/v1"})
    assert reg.resolve("vllm/m")["api_base"] == "http://env-box:8000/v1"
    assert reg.origin("vllm", "api_base").layer == "env"


def test_default_when_nothing_overrides(user) -> None:
    reg = load(user(""))
    assert reg.resolve("vllm/m")["api_base"] == "http://127.0.0.1:8000/v1"
    assert reg.origin("vllm", "api_base") == Origin("default", BUILTIN, builtin_line("api_base:", after="  vllm:"))


def test_precedence_constant_is_lowest_first() -> None:
    assert registry.LAYER_NAMES == ("default", "app", "site", "user", "env")
    assert tuple(name for name, _, _ in loader.PRECEDENCE) == registry.LAYER_NAMES
    assert loader.OPERATOR_LAYERS == {"default", "app", "site"}


def test_the_precedence_list_drives_the_merge(user, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reorder the one list and the order of reading, merging and reporting follows."""
    path = user("version: 1\nproviders:\n  vllm:\n    api_base: http://user-box:8000/v1\n")
    assert load(path).resolve("vllm/m")["api_base"] == "http://user-box:8000/v1"
    default, app, site, user_layer, env = loader.PRECEDENCE
    monkeypatch.setattr(loader, "PRECEDENCE", (user_layer, default, app, site, env))
    reg = load(path)
    assert reg.resolve("vllm/m")["api_base"] == "http://127.0.0.1:8000/v1"
    assert reg.origin("vllm", "api_base").layer == "default"
    assert [source.layer for source in reg.layers] == ["user", "default", "app", "site", "env"]
    monkeypatch.setattr(loader, "PRECEDENCE", (default, user_layer))  # no environment layer at all
    assert load(path, {"VLLM_BASE_URL": "http://env-box:1/v1"}).resolve("vllm/m")["api_base"] == \
        "http://user-box:8000/v1"


def test_locate_layers_says_where_each_layer_is_read_from(user) -> None:
    path = user("version: 1\n")
    located = loader.locate_layers(config_path=path, environ={})
    assert [(place.layer, place.reason, place.required, place.operator) for place in located] == [
        ("default", "built-in", True, True), ("app", "not given", False, True), ("site", "system", False, True),
        ("user", "config_path", True, False), ("env", "environ=", False, False)]
    assert located[3].path == str(path) and located[4].path is None  # a str, as the os functions take it
    assert located[1].path is None  # no defaults= given
    assert located[2].path == f"{paths._DEFAULT_XDG_CONFIG_DIRS}/provider-registry/providers.yaml"  # conftest's /etc/xdg


def test_user_file_can_rename_the_env_var(user) -> None:
    reg = load(user("version: 1\nproviders:\n  vllm:\n    api_base_env: MY_VLLM_URL\n"),
               {"VLLM_BASE_URL": "http://ignored:1/v1", "MY_VLLM_URL": "http://mine:2"})
    assert reg.resolve("vllm/m")["api_base"] == "http://mine:2/v1"
    assert reg.provider("vllm").api_base_env == ("MY_VLLM_URL",)


# --- merge, add, disable -------------------------------------------------------------------------

def test_merge_keeps_inherited_fields_with_default_origins(user) -> None:
    path = user(VLLM_BASE)
    reg = load(path)
    vllm = reg.provider("vllm")
    assert vllm.api_base_env == ("VLLM_BASE_URL", "LOCAL_LLM_BASE_URL")
    assert vllm.api_key_env == ("VLLM_API_KEY", "LOCAL_LLM_API_KEY")
    assert vllm.prefix == "vllm/" and vllm.litellm_provider == "openai"
    assert reg.resolve("vllm/m")["api_key"] == "vllm"
    for field in ("api_key", "api_key_env", "api_base_env", "description", "prefix", "litellm_provider"):
        assert reg.origin("vllm", field).layer == "default", field
    assert reg.origin("vllm", "api_base").layer == "user"
    # the other providers are untouched
    assert reg.resolve("ollama/x")["api_base"] == "http://localhost:11434/v1"
    assert list(reg.providers) == ["ollama", "lm_studio", "vllm", "llamacpp", "openai-compat", "huggingface"]


ADD = """\
version: 1
providers:
  groq-local:
    prefix: gl/
    api_base: http://10.0.0.7:9000
    api_key_env: GL_KEY
    description: added by the user
"""


def test_adding_a_provider_needs_no_code_change(user) -> None:
    path = user(ADD)
    reg = load(path, {"GL_KEY": "gl-secret-0123456789"})
    assert "gl/" in reg.prefixes
    assert reg.prefixes[-1] == "gl/"
    assert reg.check_model_id("gl/llama-70b").ok
    assert reg.check_model_id("gl/llama-70b").provider == "groq-local"
    assert reg.is_valid_model_id("gl/llama-70b")
    assert reg.resolve("gl/llama-70b") == {"model": "openai/llama-70b", "api_base": "http://10.0.0.7:9000/v1",
                                           "api_key": "gl-secret-0123456789"}
    assert reg.origin("groq-local", "prefix") == Origin("user", str(path), 4)
    assert reg.origin("groq-local", "api_key") == Origin("env", "GL_KEY")


def test_added_provider_without_key_raises_missing_key(user) -> None:
    reg = load(user(ADD))
    with pytest.raises(registry.MissingApiKeyError, match="set GL_KEY"):
        reg.resolve("gl/x")


def test_added_provider_default_prefix_is_its_name(user) -> None:
    reg = load(user("version: 1\nproviders:\n  tgi:\n    api_base: http://127.0.0.1:3000\n    api_key: none\n"))
    assert reg.provider("tgi").prefix == "tgi/"
    assert reg.resolve("tgi/m") == {"model": "openai/m", "api_base": "http://127.0.0.1:3000/v1", "api_key": "none"}


def test_added_provider_without_api_base_is_an_error(user) -> None:
    path = user("version: 1\nproviders:\n  tgi:\n    api_key: none\n")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert info.value.message == "provider 'tgi' has no api_base"
    assert info.value.path == str(path) and info.value.line == 3


@pytest.mark.parametrize("name,prefix", [("ollama", "ollama"), ("lm_studio", "lm_studio"), ("vllm", "vllm")])
def test_disabling_a_builtin_refuses_its_prefix(user, name: str, prefix: str) -> None:
    reg = load(user(f"version: 1\nproviders:\n  {name}:\n    enabled: false\n"), {"HF_TOKEN": "hf_x_0123456789"})
    assert name not in reg.providers
    assert f"{prefix}/" not in reg.prefixes
    check = reg.check_model_id(f"{prefix}/model")
    assert not check.ok
    assert check.reason == f"provider {name!r} is disabled"
    with pytest.raises(InvalidModelIdError, match=f"provider {name!r} is disabled"):
        reg.resolve(f"{prefix}/model")


def test_disabling_the_fallback_requires_fallback_null(user) -> None:
    path = user("version: 1\nproviders:\n  huggingface:\n    enabled: false\n")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert info.value.message == "fallback provider 'huggingface' is disabled"
    assert info.value.hint == "enable it, or set 'fallback: null'"
    reg = load(user("version: 1\nfallback: null\nproviders:\n  huggingface:\n    enabled: false\n"))
    assert reg.fallback is None
    assert "huggingface/" not in reg.prefixes
    assert reg.check_model_id("huggingface/org/model").reason == "provider 'huggingface' is disabled"


def test_reenabling_in_user_file(user) -> None:
    reg = load(user("version: 1\nproviders:\n  ollama:\n    enabled: true\n"))
    assert reg.resolve("ollama/x")["api_base"] == "http://localhost:11434/v1"


# --- fallback ------------------------------------------------------------------------------------

def test_fallback_null_makes_unprefixed_ids_invalid(user) -> None:
    path = user("version: 1\nfallback: null\n")
    reg = load(path, {"HF_TOKEN": "hf_x_0123456789"})
    assert reg.fallback is None
    check = reg.check_model_id("moonshotai/Kimi-K2.6:novita")
    assert not check.ok
    assert "'moonshotai/' is not a registered prefix and no fallback provider is set" in check.reason
    with pytest.raises(InvalidModelIdError, match="no fallback provider is set"):
        reg.resolve("moonshotai/Kimi-K2.6:novita")
    # prefixed ids still work, including the huggingface/ prefix
    assert reg.resolve("huggingface/moonshotai/Kimi-K2.6:novita")["model"] == "openai/moonshotai/Kimi-K2.6:novita"
    assert reg.settings_origins["fallback"] == Origin("user", str(path), 2)


def test_fallback_changed_to_a_local_provider(user) -> None:
    reg = load(user("version: 1\nfallback: ollama\n"))
    assert reg.fallback == "ollama"
    assert reg.resolve("llama3.1:8b") == {"model": "openai/llama3.1:8b", "api_base": "http://localhost:11434/v1",
                                         "api_key": "ollama"}
    # the 'any' model format accepts ids the hub shape would refuse
    assert reg.check_model_id("just-a-name").provider == "ollama"
    assert reg.check_model_id("org/model:tag").provider == "ollama"


def test_fallback_to_unknown_provider_suggests(user) -> None:
    path = user("version: 1\nfallback: olama\n")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert info.value.message == "fallback names an unknown provider 'olama'"
    assert info.value.hint == "did you mean 'ollama'?"
    assert (info.value.path, info.value.line) == (str(path), 2)


def test_default_fallback_is_huggingface(user) -> None:
    assert load(user("")).fallback == "huggingface"


# --- aliases -------------------------------------------------------------------------------------

def test_aliases_resolve(user) -> None:
    reg = load(user("version: 1\naliases:\n  fast: ollama/llama3.1:8b\n"))
    assert reg.resolve("fast") == reg.resolve("ollama/llama3.1:8b")
    assert reg.aliases == {"fast": "ollama/llama3.1:8b"}


def test_alias_to_invalid_id_is_a_config_error(user) -> None:
    path = user("version: 1\naliases:\n  fast: olama/\n")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert info.value.message.startswith("alias 'fast' points at an invalid model id")
    assert info.value.line == 3


# --- empty files, user file selection ------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "# yaml-language-server: $schema=x.json\n", "---\n"])
def test_empty_user_file_means_no_overrides(user, text: str) -> None:
    reg = load(user(text))
    baseline = registry.load(config_path=user("version: 1\n"), environ={})
    assert reg.providers == baseline.providers
    assert all(reg.origin(name, "api_base").layer == "default" for name in reg.providers)


def test_explicit_config_path_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        registry.load(config_path=missing, environ={})
    assert info.value.path == str(missing)
    assert info.value.message == "file not found"


def test_config_env_var_names_the_user_file(user) -> None:
    path = user(VLLM_BASE)
    reg = registry.load(environ={"PROVIDER_REGISTRY_CONFIG": str(path)})
    assert reg.origin("vllm", "api_base") == Origin("user", str(path), 4)


def test_config_path_beats_config_env_var(user, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("version: 1\nproviders:\n  vllm:\n    api_base: http://other:1/v1\n")
    reg = registry.load(config_path=user(VLLM_BASE), environ={"PROVIDER_REGISTRY_CONFIG": str(other)})
    assert reg.resolve("vllm/m")["api_base"] == "http://user-box:8000/v1"


def test_default_user_file_is_under_app_config_dir(isolated_user_dirs: Path) -> None:
    config_dir = isolated_user_dirs / ".config" / "my-agent"
    config_dir.mkdir(parents=True)
    (config_dir / "providers.yaml").write_text(VLLM_BASE)
    reg = registry.load(app_name="my-agent", environ={})
    assert reg.resolve("vllm/m")["api_base"] == "http://user-box:8000/v1"
    # another app name does not see it, and a missing default file is fine
    assert registry.load(app_name="other-agent", environ={}).resolve("vllm/m")["api_base"] == "http://127.0.0.1:8000/v1"


# --- origins -------------------------------------------------------------------------------------

ORIGIN_FILE = """\
# a comment on line 1
version: 1

providers:
  ollama:
    description: my box
    api_base: http://box:11434/v1
"""


def test_origins_for_each_layer(user) -> None:
    path = user(ORIGIN_FILE)
    reg = load(path, {"OLLAMA_API_KEY": "env-key-abcdef123"})
    assert reg.origin("ollama", "api_base") == Origin("user", str(path), 7)
    assert reg.origin("ollama", "description") == Origin("user", str(path), 6)
    assert reg.origin("ollama", "api_key") == Origin("env", "OLLAMA_API_KEY", None)
    assert reg.origin("ollama", "api_key_env") == Origin("default", BUILTIN, builtin_line("api_key_env:", after="  ollama:"))
    assert reg.origin("huggingface", "api_base") == Origin("default", BUILTIN, builtin_line("router.huggingface.co"))
    origin = reg.origin("ollama", "api_base")
    assert (origin.layer, origin.source, origin.line) == ("user", str(path), 7)
    assert origin.location == f"{path}:7"


def test_origin_of_unknown_provider_raises(user) -> None:
    reg = load(user(""))
    with pytest.raises(registry.UnknownProviderError, match="did you mean 'ollama'"):
        reg.origin("olama", "api_base")


@pytest.mark.parametrize(("provider", "field"), [("ollama", "no_such_field"), ("huggingface", "api_key"), ("vllm", "timeout")])
def test_origin_of_unset_field_names_the_field(user, provider: str, field: str) -> None:
    reg = load(user(""))
    with pytest.raises(registry.UnknownFieldError) as info:
        reg.origin(provider, field)
    assert isinstance(info.value, LookupError)
    assert str(info.value).startswith(f"provider {provider!r} has no value for {field!r} in any layer; fields with a value: ")
    assert "api_base" in str(info.value)


def test_layers_are_reported(user) -> None:
    path = user("")
    reg = load(path)
    site = f"{paths._DEFAULT_XDG_CONFIG_DIRS}/provider-registry/providers.yaml"  # environ={}: conftest's /etc/xdg
    assert [(s.layer, s.source, s.exists) for s in reg.layers] == [
        ("default", BUILTIN, True), ("app", "(none)", False), ("site", site, False), ("user", str(path), True),
        ("env", "environment", True)]


# --- error reporting -----------------------------------------------------------------------------

def test_config_error_str_reads_path_line_col_then_hint(user) -> None:
    path = user("version: 1\nproviders:\n  ollama:\n    api_bse: http://x:1/v1\n")
    with pytest.raises(ConfigError) as info:
        load(path)
    error = info.value
    assert (error.path, error.line, error.column) == (str(path), 4, 5)
    assert error.pointer == "$.providers.ollama.api_bse"
    assert error.message == "unknown key 'api_bse'"
    assert error.hint == "did you mean 'api_base'?"
    assert str(error).startswith(f"{path}:4:5: error: unknown key 'api_bse'")
    assert "\n  hint: did you mean 'api_base'?" in str(error)


def test_all_problems_are_collected(user) -> None:
    path = user("version: 1\nproviders:\n  ollama:\n    api_bse: http://x:1/v1\n  vllm:\n    timeout: -1\n")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert [i.line for i in info.value.issues] == [4, 6]
    report = registry.inspect(config_path=path, environ={})
    assert report.registry is None and not report.ok and len(report.errors) == 2


def test_env_problems_name_the_variable(user) -> None:
    with pytest.raises(ConfigError) as info:
        load(user(""), {"OLLAMA_API_KEY": "key with space"}, strict=True)
    assert info.value.env_var == "OLLAMA_API_KEY"
    assert str(info.value).startswith("env OLLAMA_API_KEY: error: API key in OLLAMA_API_KEY contains whitespace")
    assert "key with space" not in str(info.value)


def test_duplicate_prefix_is_an_error(user) -> None:
    with pytest.raises(ConfigError, match="prefix 'ollama/' is already used by provider 'ollama'"):
        load(user("version: 1\nproviders:\n  mine:\n    prefix: ollama/\n    api_base: http://x:1/v1\n"))


def test_inline_key_in_user_file_is_a_warning_not_an_error(user) -> None:
    path = user("version: 1\nproviders:\n  ollama:\n    api_key: sk-real-looking-key-1234567890\n")
    report = registry.inspect(config_path=path, environ={})
    assert report.ok and report.registry is not None
    assert [w.line for w in report.warnings] == [4]
    assert all("sk-real-looking-key-1234567890" not in w.render() for w in report.warnings)
    assert report.registry.resolve("ollama/x")["api_key"] == "sk-real-looking-key-1234567890"


def test_inspect_reports_a_bad_url_policy_argument_instead_of_raising(user) -> None:
    report = registry.inspect(config_path=user(""), environ={}, url_policy="bogus")
    assert report.registry is None
    assert [i.message for i in report.errors] == [
        "url_policy argument: unknown URL policy 'bogus'; expected one of 'default', 'strict'"]
    with pytest.raises(TypeError, match="url_policy must be"):
        registry.inspect(config_path=user(""), environ={}, url_policy=5)  # type: ignore[arg-type]


def test_a_bad_policy_variable_does_not_hide_other_environment_problems(user) -> None:
    environ = {"PROVIDER_REGISTRY_URL_POLICY": "strickt", "OLLAMA_BASE_URL": "http://169.254.169.254/v1"}
    report = registry.inspect(config_path=user(""), environ=environ)
    assert sorted(i.env_var for i in report.errors) == ["OLLAMA_BASE_URL", "PROVIDER_REGISTRY_URL_POLICY"]


@pytest.mark.parametrize(("name", "warned"), [
    ("olama", "ollama"), ("vlm", "vllm"), ("lmstudio", "lm_studio"), ("llama-cpp", "llamacpp"),
    ("vllm2", None), ("ollama-gpu", None), ("gpu-box", None),
])
def test_a_new_provider_named_like_a_builtin_gets_a_warning(user, name: str, warned: str | None) -> None:
    report = registry.inspect(config_path=user(f"version: 1\nproviders:\n  {name}:\n    api_base: http://h:1/v1\n"
                                               "    api_key: none\n"), environ={})
    assert report.ok
    found = [w for w in report.warnings if "is new, but its name is close to" in w.message]
    if warned is None:
        assert found == []
    else:
        assert [(w.line, w.column, w.pointer) for w in found] == [(3, 3, f"$.providers.{name}")]
        assert f"the built-in {warned!r}" in found[0].message and f"name it {warned!r}" in (found[0].hint or "")


# --- the user file's path, in every form -----------------------------------------------------------

def test_config_path_may_be_str_bytes_or_pathlike(user) -> None:
    path = user(VLLM_BASE)
    for given in (str(path), bytes(path), path):
        assert load(given).resolve("vllm/m")["api_base"] == "http://user-box:8000/v1"


def test_a_config_path_that_is_not_utf8_is_read_and_shown_escaped(tmp_path: Path) -> None:
    raw = bytes(tmp_path) + b"/\xff.yaml"
    with open(raw, "wb") as stream:
        stream.write(VLLM_BASE.encode())
    reg = registry.load(config_path=raw, environ={})
    assert reg.resolve("vllm/m")["api_base"] == "http://user-box:8000/v1"
    assert reg.origin("vllm", "api_base").source == f"{tmp_path}/\\udcff.yaml"  # printable, never a raw byte


def test_check_user_file_setting_flags_malformed_named_paths_only(tmp_path: Path) -> None:
    check = loader.check_user_file_setting
    assert check(config_path=tmp_path / "absent.yaml", environ={}) is None
    assert check(environ={}) is None  # the default location is never a setting error
    issue = check(config_path="x" * 300, environ={})
    assert issue is not None and issue.rule == "name-too-long" and issue.env_var is None
    issue = check(environ={"PROVIDER_REGISTRY_CONFIG": "a\x00b"})
    assert issue is not None and issue.location == "env PROVIDER_REGISTRY_CONFIG"
    assert check(config_path=tmp_path, environ={"PROVIDER_REGISTRY_CONFIG": "a\x00b"}) is None  # config_path wins


def test_an_unexpandable_tilde_is_kept_and_reported() -> None:
    (located,) = [place for place in loader.locate_layers(config_path="~no-such-user-pr/x.yaml", environ={})
                  if place.layer == "user"]
    assert located.path == "~no-such-user-pr/x.yaml"
    report = registry.inspect(config_path="~no-such-user-pr/x.yaml", environ={})
    assert [issue.rule for issue in report.errors] == ["home"]


def test_a_default_file_under_a_file_is_absent_but_a_too_long_one_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "afile").write_bytes(b"")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "afile"))
    assert registry.inspect(environ={}).ok  # ENOTDIR: nothing there, as before
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ("x" * 300)))
    (issue,) = registry.inspect(environ={}).errors
    assert issue.rule == "name-too-long" and "XDG_CONFIG_HOME or HOME" in (issue.hint or "")
