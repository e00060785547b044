"""Campaign model and store: campaigns.yaml <-> DuckDB, with validation and inherited settings.

`model` holds the setting keys (`SETTINGS`, the one list) and the validated objects, `loader`
reads campaigns.yaml, `checks` holds the rules across objects, `ddl` the SQL made from the keys
and `store` the DuckDB reads and writes. Every public name is re-exported here.
"""

from cxpipeline.campaigns.checks import check_against_existing, check_in_file
from cxpipeline.campaigns.loader import load_campaigns_yaml
from cxpipeline.campaigns.model import (
    BUILTIN_DEFAULTS,
    DIALING_KEYS,
    DIALING_MODES,
    OPTIMIZATION_METHODS,
    SESSION_KEYS,
    SETTING_KEYS,
    SETTINGS,
    TABLES,
    WEEKDAY_KEYS,
    AllSettings,
    CampaignGroup,
    CampaignModel,
    CampaignTemplate,
    ContactList,
    DialingProfile,
    DialingSettings,
    SessionProfile,
    SessionSettings,
    Setting,
)
from cxpipeline.campaigns.store import (
    apply_campaigns,
    effective_settings,
    ensure_contact_list,
    show_settings,
)

__all__ = [
    "BUILTIN_DEFAULTS",
    "DIALING_KEYS",
    "DIALING_MODES",
    "OPTIMIZATION_METHODS",
    "SESSION_KEYS",
    "SETTINGS",
    "SETTING_KEYS",
    "TABLES",
    "WEEKDAY_KEYS",
    "AllSettings",
    "CampaignGroup",
    "CampaignModel",
    "CampaignTemplate",
    "ContactList",
    "DialingProfile",
    "DialingSettings",
    "SessionProfile",
    "SessionSettings",
    "Setting",
    "apply_campaigns",
    "check_against_existing",
    "check_in_file",
    "effective_settings",
    "ensure_contact_list",
    "load_campaigns_yaml",
    "show_settings",
]
