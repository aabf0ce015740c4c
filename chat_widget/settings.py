"""One validated, immutable settings object, read from the environment once.

Every variable is documented in README.md. The environment fails closed: without ``CW_ENV``
the process is in production and refuses default secrets, plain http outside loopback, static
Graph tokens and demo accounts; the demo and the tests say ``CW_ENV=development``/``test``.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from chat_widget.i18n import LOCALES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-only-change-me"  # noqa: S105 - the value production refuses


ENVIRONMENTS = ("development", "test", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("json", "text")
MIGRATE_MODES = ("upgrade", "check")
#: Who may read /metrics and the details of /readyz without a token: loopback by default.
DEFAULT_INTERNAL_NETWORKS = ("127.0.0.0/8", "::1/128")


def environ() -> Mapping[str, str]:
    """The process environment, read-only. The few modules that parse variables of their own
    (the Graph adapter's ``CW_GRAPH_*``, the launcher's ``GRANIAN_*``, a CLI's defaults) or hand
    the environment to a child process take it from here: configuration has one door
    (tests/unit/shell/test_layering.py), and their tests pass any mapping instead."""
    return MappingProxyType(os.environ)


def environment_name(env: Mapping[str, str] | None = None) -> str:
    """``CW_ENV``, production when unset: forgetting it must never weaken anything."""
    env = os.environ if env is None else env
    return (env.get("CW_ENV") or "production").strip().lower()


def is_loopback_url(url: str) -> bool:
    return (urlsplit(url.strip()).hostname or "").lower() in LOOPBACK_HOSTS


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe for the environment."""


#: Microsoft Graph service roots (national clouds included, per Microsoft's
#: concepts/deployments.md) -> the Entra sign-in host of that cloud.
GRAPH_HOSTS: dict[str, str] = {
    "graph.microsoft.com": "login.microsoftonline.com",  # global service
    "graph.microsoft.us": "login.microsoftonline.us",  # US Government L4
    "dod-graph.microsoft.us": "login.microsoftonline.us",  # US Government L5 (DOD)
    "microsoftgraph.chinacloudapi.cn": "login.chinacloudapi.cn",  # operated by 21Vianet
}
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def check_graph_base_url(base_url: str, env: str) -> str:
    """The host a Graph token may be sent to, or :class:`SettingsError` saying what to fix.

    Why: the app's Graph token can book, read and cancel every appointment of the bank; it
    must never reach another server. Production: https on a Microsoft Graph host only.
    Development and test may also use a loopback server (the fake Graph), over http.
    """
    parts = urlsplit(base_url.strip())
    host = (parts.hostname or "").lower()
    if host in GRAPH_HOSTS and parts.scheme == "https":
        return host
    if (
        host in LOOPBACK_HOSTS
        and env in ("development", "test")
        and parts.scheme in ("http", "https")
    ):
        return host
    allowed = ", ".join(f"https://{h}" for h in GRAPH_HOSTS)
    extra = "" if env == "production" else " (or, outside production, a loopback test server)"
    raise SettingsError(
        f"CW_GRAPH_BASE_URL {base_url!r} is not a Microsoft Graph endpoint: the Graph token is "
        f"only sent to {allowed}{extra}"
    )


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())


def _pairs(name: str, value: str) -> tuple[tuple[str, str], ...]:
    """``key=value`` items separated by commas or semicolons (group ids never contain either)."""
    pairs = []
    for item in re.split(r"[,;]", value):
        if not item.strip():
            continue
        key, sep, mapped = item.partition("=")
        if not sep or not key.strip() or not mapped.strip():
            raise SettingsError(f"{name} items must look like GROUP=value, got {item.strip()!r}")
        pairs.append((key.strip(), mapped.strip().lower()))
    return tuple(pairs)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


#: The console roles an identity-provider group or app role can grant (agents.records.Role).
CONSOLE_ROLES = ("agent", "claims_handler", "supervisor", "admin")


@dataclass(frozen=True)
class OidcSettings:
    """Employees sign in with the bank's OpenID Connect provider (Entra ID or another).

    ``role_map`` pairs a value of the ID token's ``roles``/``groups`` claims (an Entra app role
    name or group object id) with a console role; several values may grant the same role and
    one value several roles. ``language_map`` likewise gives the languages an agent serves.
    """

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    discovery_url: str = ""
    tenant_id: str | None = None
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    role_claims: tuple[str, ...] = ("roles", "groups")
    role_map: tuple[tuple[str, str], ...] = ()
    language_map: tuple[tuple[str, str], ...] = ()
    redirect_url: str = ""
    timeout_seconds: float = 10.0

    @property
    def metadata_url(self) -> str:
        return self.discovery_url or f"{self.issuer}/.well-known/openid-configuration"


def _keys(value: str) -> tuple[str, ...]:
    """Comma-separated keys, kept exactly as written (a key may end with "/")."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    env: str = "production"
    public_url: str = "http://localhost:3000"
    database_url: str = f"sqlite:///{PROJECT_ROOT / '.data' / 'widget.db'}"
    redis_url: str | None = None
    allowed_origins: tuple[str, ...] = ("http://localhost:8000", "http://127.0.0.1:8000")
    secret_key: str = DEFAULT_SECRET
    identity_jwt_key: str = DEFAULT_SECRET
    identity_jwt_algorithms: tuple[str, ...] = ("HS256",)
    identity_jwt_issuer: str | None = None
    identity_jwt_audience: str | None = "contact-widget"
    default_locale: str = "fr"
    data_dir: Path = PROJECT_ROOT / ".data"
    # "{lang}" is replaced by the customer's language (fr/nl/en/de): the privacy notice is
    # linked in the language the customer reads the widget in.
    privacy_url: str = "https://www.belfius.be/about-us/{lang}/privacy"
    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_files: int = 10
    # "auto": waiting chats go to the least-loaded available agent who speaks the language;
    # "manual": agents pick from the queue themselves.
    chat_routing: str = "auto"
    # Live-chat attachments: one file per upload, at most this many per conversation.
    chat_upload_max_bytes: int = 10 * 1024 * 1024
    #: console: an available agent idle this long turns away (agents.presence)
    agent_idle_seconds: int = 300
    chat_upload_max_files: int = 20
    # Claims console: a submitted claim still open after this many hours is shown as late.
    claim_age_target_hours: int = 48
    # The bank's phone number, shown when live chat is closed (the promise "or call us").
    bank_phone: str = "+32 2 222 11 11"
    # A waiting customer is offered a callback when the expected wait exceeds this.
    callback_queue_minutes: int = 15
    # The insurer's key for GET /api/claims/export; None turns the endpoint off.
    claims_api_key: str | None = field(default=None, repr=False)
    # Microsoft Graph (video meetings); the other CW_GRAPH_* values are read by the adapter.
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_static_token: bool = False
    # Employees' single sign-on; None: local passwords (development and test only).
    oidc: OidcSettings | None = None
    # CW_LOCAL_PASSWORDS=0 turns local passwords off outside production too (an SSO-only demo
    # or test); production never has them.
    local_passwords_wanted: bool = True
    # Operations (issue 17). Logs: one JSON object per line, at this level and above.
    log_level: str = "INFO"
    log_format: str = "json"
    # Reverse proxies in front of the workers whose X-Forwarded-For/-Proto are believed (nginx:
    # 1). 0 ignores the headers: a client could otherwise pick its own address.
    trusted_proxy_hops: int = 0
    # Addresses that may read /metrics and /readyz details (CIDR); others need the token.
    internal_networks: tuple[str, ...] = DEFAULT_INTERNAL_NETWORKS
    metrics_token: str | None = field(default=None, repr=False)
    # "upgrade": a worker migrates the schema itself (demo, tests); "check": it refuses to work
    # on a database behind the code (production: `scripts/serve` migrates once per deploy).
    migrate_on_start: str = "upgrade"
    # On shutdown a worker finishes the events it holds for at most this long.
    drain_seconds: float = 20.0
    # The assistant's model in a process of its own beside each worker (another core, not the
    # event loop's interpreter lock); 0 keeps it on a thread of the worker (less memory).
    assistant_process: bool = True
    # Keys being rotated out: still accepted to read (never to sign), so a rotation logs no
    # one out (docs/operations.md, key rotation).
    secret_key_previous: tuple[str, ...] = field(default=(), repr=False)
    identity_jwt_key_previous: tuple[str, ...] = field(default=(), repr=False)
    # Every CW_* variable as given, secrets included: never in repr (logs, tracebacks).
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)

    def privacy_url_for(self, locale: str) -> str:
        """The privacy notice in ``locale`` (a URL without ``{lang}`` is the same for all)."""
        lang = locale if locale in LOCALES else self.default_locale
        return self.privacy_url.replace("{lang}", lang)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def own_origin(self) -> str:
        scheme, _, rest = self.public_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"

    @property
    def local_passwords(self) -> bool:
        """Password sign-in to the console: the demo and the tests only, never production."""
        return self.local_passwords_wanted and not self.is_production

    @property
    def socket_origins(self) -> tuple[str, ...]:
        """Origins that may open the websocket: the widget's own pages only (it lives in the iframe)."""
        return (self.own_origin,)

    def validate(self) -> Settings:
        if self.env not in ENVIRONMENTS:
            raise SettingsError(f"CW_ENV must be development, test or production, not {self.env!r}")
        if self.chat_routing not in {"auto", "manual"}:
            raise SettingsError(
                f"CW_CHAT_ROUTING must be auto or manual, not {self.chat_routing!r}"
            )
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(f"CW_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        if self.log_format not in LOG_FORMATS:
            raise SettingsError("CW_LOG_FORMAT must be json or text")
        if self.migrate_on_start not in MIGRATE_MODES:
            raise SettingsError("CW_MIGRATE_ON_START must be upgrade or check")
        if self.trusted_proxy_hops < 0:
            raise SettingsError("CW_TRUSTED_PROXY_HOPS must be 0 or more")
        if self.drain_seconds < 0:
            raise SettingsError("CW_DRAIN_SECONDS must be 0 or more")
        for network in self.internal_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as exc:
                raise SettingsError(
                    f"CW_INTERNAL_NETWORKS: {network!r} is not an address or CIDR network"
                ) from exc
        if self.default_locale not in LOCALES:
            raise SettingsError(f"CW_DEFAULT_LOCALE must be one of {LOCALES}")
        for origin in (*self.allowed_origins, self.own_origin):
            if origin == "*" or "://" not in origin:
                raise SettingsError(
                    f"origin {origin!r} must be a full origin like https://www.bank.be"
                )
        for name, value in (
            ("CW_UPLOAD_MAX_BYTES", self.upload_max_bytes),
            ("CW_UPLOAD_MAX_FILES", self.upload_max_files),
            ("CW_CHAT_UPLOAD_MAX_BYTES", self.chat_upload_max_bytes),
            ("CW_CHAT_UPLOAD_MAX_FILES", self.chat_upload_max_files),
            ("CW_CLAIM_AGE_TARGET_HOURS", self.claim_age_target_hours),
            ("CW_AGENT_IDLE_SECONDS", self.agent_idle_seconds),
            ("CW_CALLBACK_QUEUE_MINUTES", self.callback_queue_minutes),
        ):
            if value < 1:
                raise SettingsError(f"{name} must be at least 1")
        check_graph_base_url(self.graph_base_url, self.env)
        if self.oidc is not None:
            self._validate_oidc(self.oidc)
        if self.is_production:
            if self.graph_static_token:
                raise SettingsError(
                    "CW_GRAPH_STATIC_TOKEN is for the demo and tests: production uses "
                    "CW_GRAPH_TENANT_ID, CW_GRAPH_CLIENT_ID and CW_GRAPH_CLIENT_SECRET"
                )
            weak = [
                name
                for name, value in (
                    ("CW_SECRET_KEY", self.secret_key),
                    ("CW_IDENTITY_JWT_KEY", self.identity_jwt_key),
                )
                if value == DEFAULT_SECRET or len(value) < 32
            ]
            if self.claims_api_key is not None and len(self.claims_api_key) < 32:
                weak.append("CW_CLAIMS_API_KEY")
            if self.metrics_token is not None and len(self.metrics_token) < 32:
                weak.append("CW_METRICS_TOKEN")
            if weak:
                raise SettingsError(
                    "production refuses default or short secrets: set " + ", ".join(weak)
                )
            if not self.public_url.startswith("https://") and not is_loopback_url(self.public_url):
                raise SettingsError(
                    "CW_PUBLIC_URL must be https:// in production (plain http only on loopback)"
                )
        return self

    def _validate_oidc(self, oidc: OidcSettings) -> None:
        if not oidc.client_id or not oidc.client_secret:
            raise SettingsError("CW_OIDC_CLIENT_ID and CW_OIDC_CLIENT_SECRET are required")
        if "{" in oidc.issuer:
            # Entra's "common"/"organizations" metadata has a templated issuer: any tenant.
            raise SettingsError("CW_OIDC_ISSUER must name one tenant, not a template")
        for name, url in (
            ("CW_OIDC_ISSUER", oidc.issuer),
            ("CW_OIDC_DISCOVERY_URL", oidc.discovery_url),
            ("CW_OIDC_REDIRECT_URL", oidc.redirect_url),
        ):
            if not url:
                continue
            if not url.startswith(("https://", "http://")):
                raise SettingsError(f"{name} must be an https:// URL")
            if self.is_production and not url.startswith("https://"):
                raise SettingsError(f"{name} must be https:// in production")
        unknown = sorted({role for _, role in oidc.role_map} - set(CONSOLE_ROLES))
        if unknown:
            raise SettingsError(f"CW_OIDC_ROLE_MAP grants unknown roles {unknown}")
        if not oidc.role_map:
            raise SettingsError("CW_OIDC_ROLE_MAP is required: no group would grant any role")
        bad_languages = sorted({lang for _, lang in oidc.language_map} - set(LOCALES))
        if bad_languages:
            raise SettingsError(f"CW_OIDC_LANGUAGE_MAP has unknown languages {bad_languages}")
        if "openid" not in oidc.scopes:
            raise SettingsError("CW_OIDC_SCOPES must include openid")
        if oidc.timeout_seconds <= 0:
            raise SettingsError("CW_OIDC_TIMEOUT_SECONDS must be positive")


def _oidc(env: Mapping[str, str], public_url: str) -> OidcSettings | None:
    issuer = (env.get("CW_OIDC_ISSUER") or "").strip().rstrip("/")
    if not issuer:
        return None
    try:
        timeout = float(env.get("CW_OIDC_TIMEOUT_SECONDS") or 10)
    except ValueError as exc:
        raise SettingsError("CW_OIDC_TIMEOUT_SECONDS must be a number") from exc
    return OidcSettings(
        issuer=issuer,
        client_id=(env.get("CW_OIDC_CLIENT_ID") or "").strip(),
        client_secret=env.get("CW_OIDC_CLIENT_SECRET") or "",
        discovery_url=(env.get("CW_OIDC_DISCOVERY_URL") or "").strip(),
        tenant_id=(env.get("CW_OIDC_TENANT_ID") or "").strip() or None,
        scopes=tuple((env.get("CW_OIDC_SCOPES") or "openid profile email").split()),
        role_claims=_split(env.get("CW_OIDC_ROLE_CLAIMS") or "roles,groups"),
        role_map=_pairs("CW_OIDC_ROLE_MAP", env.get("CW_OIDC_ROLE_MAP") or ""),
        language_map=_pairs("CW_OIDC_LANGUAGE_MAP", env.get("CW_OIDC_LANGUAGE_MAP") or ""),
        redirect_url=(env.get("CW_OIDC_REDIRECT_URL") or "").strip()
        or f"{public_url}/api/agent/oidc/callback",
        timeout_seconds=timeout,
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get("CW_DATA_DIR") or (PROJECT_ROOT / ".data"))
    public_url = env.get("CW_PUBLIC_URL", "http://localhost:3000").rstrip("/")
    settings = Settings(
        env=environment_name(env),
        public_url=public_url,
        database_url=env.get("CW_DATABASE_URL") or f"sqlite:///{data_dir / 'widget.db'}",
        redis_url=env.get("REDIS_URL") or None,
        allowed_origins=_split(
            env.get("CW_ALLOWED_ORIGINS", "http://localhost:8000,http://127.0.0.1:8000")
        ),
        secret_key=env.get("CW_SECRET_KEY", DEFAULT_SECRET),
        identity_jwt_key=env.get("CW_IDENTITY_JWT_KEY", DEFAULT_SECRET),
        identity_jwt_algorithms=_split(env.get("CW_IDENTITY_JWT_ALGORITHMS", "HS256")),
        identity_jwt_issuer=env.get("CW_IDENTITY_JWT_ISSUER") or None,
        identity_jwt_audience=env.get("CW_IDENTITY_JWT_AUDIENCE", "contact-widget") or None,
        default_locale=env.get("CW_DEFAULT_LOCALE", "fr"),
        data_dir=data_dir,
        privacy_url=env.get("CW_PRIVACY_URL", Settings.privacy_url),
        upload_max_bytes=_int(env, "CW_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        upload_max_files=_int(env, "CW_UPLOAD_MAX_FILES", 10),
        chat_routing=env.get("CW_CHAT_ROUTING", "auto").strip().lower() or "auto",
        chat_upload_max_bytes=_int(env, "CW_CHAT_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        agent_idle_seconds=_int(env, "CW_AGENT_IDLE_SECONDS", 300),
        chat_upload_max_files=_int(env, "CW_CHAT_UPLOAD_MAX_FILES", 20),
        claim_age_target_hours=_int(env, "CW_CLAIM_AGE_TARGET_HOURS", 48),
        bank_phone=(env.get("CW_BANK_PHONE") or Settings.bank_phone).strip(),
        callback_queue_minutes=_int(env, "CW_CALLBACK_QUEUE_MINUTES", 15),
        claims_api_key=env.get("CW_CLAIMS_API_KEY") or None,
        graph_base_url=env.get("CW_GRAPH_BASE_URL") or "https://graph.microsoft.com/v1.0",
        graph_static_token=bool(env.get("CW_GRAPH_STATIC_TOKEN")),
        oidc=_oidc(env, public_url),
        local_passwords_wanted=(env.get("CW_LOCAL_PASSWORDS") or "1").strip() not in {"0", "false"},
        log_level=(env.get("CW_LOG_LEVEL") or "INFO").strip().upper(),
        # A developer's terminal reads text; everything else ships JSON lines.
        log_format=(
            env.get("CW_LOG_FORMAT")
            or ("text" if environment_name(env) == "development" else "json")
        )
        .strip()
        .lower(),
        trusted_proxy_hops=_int(env, "CW_TRUSTED_PROXY_HOPS", 0),
        internal_networks=_split(env.get("CW_INTERNAL_NETWORKS", "")) or DEFAULT_INTERNAL_NETWORKS,
        metrics_token=env.get("CW_METRICS_TOKEN") or None,
        # Production never migrates from a worker unless told to: fail closed.
        migrate_on_start=(
            env.get("CW_MIGRATE_ON_START")
            or ("check" if environment_name(env) == "production" else "upgrade")
        )
        .strip()
        .lower(),
        drain_seconds=_float(env, "CW_DRAIN_SECONDS", 20.0),
        assistant_process=(env.get("CW_ASSISTANT_PROCESS") or "1").strip() not in {"0", "false"},
        secret_key_previous=_keys(env.get("CW_SECRET_KEY_PREVIOUS", "")),
        identity_jwt_key_previous=_keys(env.get("CW_IDENTITY_JWT_KEY_PREVIOUS", "")),
        extra={k: v for k, v in env.items() if k.startswith("CW_")},
    )
    return settings.validate()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; read once, never changed afterwards."""
    return load_settings()
