"""The demo vendor's catalog: 60 products in 6 categories, named in several locales."""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = {
    "security": {
        "en": "Security",
        "de": "Sicherheit",
        "fr": "Sécurité",
        "es": "Seguridad",
        "ja": "セキュリティ",
    },
    "backup": {
        "en": "Backup",
        "de": "Datensicherung",
        "fr": "Sauvegarde",
        "es": "Copias de seguridad",
        "ja": "バックアップ",
    },
    "collaboration": {
        "en": "Collaboration",
        "de": "Zusammenarbeit",
        "fr": "Collaboration",
        "es": "Colaboración",
        "ja": "コラボレーション",
    },
    "devtools": {
        "en": "Developer tools",
        "de": "Entwicklerwerkzeuge",
        "fr": "Outils de développement",
        "es": "Herramientas de desarrollo",
        "ja": "開発ツール",
    },
    "analytics": {
        "en": "Analytics",
        "de": "Analytik",
        "fr": "Analytique",
        "es": "Analítica",
        "ja": "アナリティクス",
    },
    "support": {
        "en": "Support",
        "de": "Support",
        "fr": "Assistance",
        "es": "Soporte",
        "ja": "サポート",
    },
}

GROUPS = {
    "cloud": "Cloud subscriptions",
    "on-premises": "On-premises licenses",
    "enterprise": "Enterprise editions",
    "support-plans": "Support plans",
}

# (code, family name, category, base annual price in USD cents)
FAMILIES = [
    ("SHD", "Nimbus Shield", "security", 12_000),
    ("VLT", "Nimbus Vault", "security", 18_000),
    ("BKP", "Nimbus Backup", "backup", 9_000),
    ("RST", "Nimbus Restore", "backup", 15_000),
    ("TMS", "Nimbus Teamspace", "collaboration", 6_000),
    ("MTG", "Nimbus Meet", "collaboration", 4_800),
    ("CDE", "Nimbus Code", "devtools", 21_000),
    ("PIP", "Nimbus Pipelines", "devtools", 16_800),
    ("INS", "Nimbus Insight", "analytics", 24_000),
    ("DSH", "Nimbus Dashboards", "analytics", 10_800),
]

WORDS = {
    "perpetual": {
        "en": "Professional perpetual license",
        "de": "Professional Dauerlizenz",
        "fr": "Licence perpétuelle Professional",
        "es": "Licencia perpetua Professional",
        "ja": "Professional 永続ライセンス",
    },
    "annual-std": {
        "en": "Standard, annual subscription",
        "de": "Standard, Jahresabonnement",
        "fr": "Standard, abonnement annuel",
        "es": "Standard, suscripción anual",
        "ja": "Standard 年間サブスクリプション",
    },
    "annual-ent": {
        "en": "Enterprise, annual subscription",
        "de": "Enterprise, Jahresabonnement",
        "fr": "Enterprise, abonnement annuel",
        "es": "Enterprise, suscripción anual",
        "ja": "Enterprise 年間サブスクリプション",
    },
    "monthly-std": {
        "en": "Standard, monthly subscription",
        "de": "Standard, Monatsabonnement",
        "fr": "Standard, abonnement mensuel",
        "es": "Standard, suscripción mensual",
        "ja": "Standard 月間サブスクリプション",
    },
    "monthly-ent": {
        "en": "Enterprise, monthly subscription",
        "de": "Enterprise, Monatsabonnement",
        "fr": "Enterprise, abonnement mensuel",
        "es": "Enterprise, suscripción mensual",
        "ja": "Enterprise 月間サブスクリプション",
    },
    "support-basic": {
        "en": "Basic support add-on",
        "de": "Basis-Support (Zusatz)",
        "fr": "Option assistance de base",
        "es": "Complemento de soporte básico",
        "ja": "ベーシックサポート（追加オプション）",
    },
    "support-premium": {
        "en": "Premium support add-on, 24/7",
        "de": "Premium-Support (Zusatz), 24/7",
        "fr": "Option assistance premium, 24 h/24 et 7 j/7",
        "es": "Complemento de soporte prémium, 24/7",
        "ja": "プレミアムサポート（追加オプション）、24時間365日",
    },
}

SUPPORT_DESCRIPTION = {
    "en": "Help from our engineers for {family} by e-mail and phone, for one year.",
    "de": "Hilfe unserer Techniker zu {family} per E-Mail und Telefon, ein Jahr lang.",
    "fr": "L'aide de nos ingénieurs pour {family} par e-mail et par téléphone, pendant un an.",
    "es": "Ayuda de nuestros ingenieros para {family} por correo y teléfono durante un año.",
    "ja": "{family} について、当社エンジニアがメールと電話で1年間サポートします。",
}

DESCRIPTION = {
    "en": "{family} for one user or device. Delivered as a license key by e-mail.",
    "de": "{family} für einen Benutzer oder ein Gerät. Lieferung als Lizenzschlüssel per E-Mail.",
    "fr": "{family} pour un utilisateur ou un appareil. Livré par clé de licence par e-mail.",
    "es": "{family} para un usuario o dispositivo. Se entrega como clave de licencia por correo.",
    "ja": "{family}（1ユーザーまたは1台）。ライセンスキーをメールでお届けします。",
}

# (suffix, words key, kind, term months, price factor in percent, groups)
EDITIONS = [
    ("PERP", "perpetual", "perpetual", None, 300, ["on-premises"]),
    ("STD-1Y", "annual-std", "subscription", 12, 100, ["cloud"]),
    ("ENT-1Y", "annual-ent", "subscription", 12, 180, ["cloud", "enterprise"]),
    ("STD-1M", "monthly-std", "subscription", 1, 10, ["cloud"]),
    ("ENT-1M", "monthly-ent", "subscription", 1, 18, ["cloud", "enterprise"]),
]

SUPPORT = [
    ("SUP-BAS", "support-basic", 20, ["support-plans"]),
    ("SUP-PRM", "support-premium", 45, ["support-plans", "enterprise"]),
]


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    category: str
    kind: str
    term_months: int | None
    groups: tuple[str, ...]
    usd_cents: int
    names: dict[str, str]
    descriptions: dict[str, str]


def prices(usd_cents: int) -> dict[str, int]:
    """List prices in minor units: EUR at 0.92 to the dollar, JPY at 150 rounded to 10 yen."""
    return {
        "USD": usd_cents,
        "EUR": round(usd_cents * 92 / 100),
        "JPY": round(usd_cents * 150 / 100 / 10) * 10,
    }


def products() -> list[DemoProduct]:
    """All 60 demo products."""
    items = []
    for code, family, category, base in FAMILIES:
        for suffix, words, kind, term, factor, groups in EDITIONS:
            items.append(
                DemoProduct(
                    sku=f"{code}-{suffix}",
                    category=category,
                    kind=kind,
                    term_months=term,
                    groups=tuple(groups),
                    usd_cents=base * factor // 100,
                    names={loc: f"{family} {text}" for loc, text in WORDS[words].items()},
                    descriptions={loc: t.format(family=family) for loc, t in DESCRIPTION.items()},
                )
            )
    for code, family, _category, base in FAMILIES[::2]:
        for suffix, words, factor, groups in SUPPORT:
            items.append(
                DemoProduct(
                    sku=f"{code}-{suffix}",
                    category="support",
                    kind="service",
                    term_months=12,
                    groups=tuple(groups),
                    usd_cents=base * factor // 100,
                    names={loc: f"{family} {text}" for loc, text in WORDS[words].items()},
                    descriptions={
                        loc: t.format(family=family) for loc, t in SUPPORT_DESCRIPTION.items()
                    },
                )
            )
    return items
