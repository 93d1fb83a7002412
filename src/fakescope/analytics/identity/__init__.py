"""Identity resolution: normalised seller identities, a Splink model trained by EM, screening against bans.

`screen(settings)` is the batch entry point; `ScreeningIndex` answers one registration from memory.
"""

from fakescope.analytics.identity.screening import ScreenResult, decide, screen_sellers
from fakescope.analytics.identity.service import ScreenReport, screen

__all__ = ["ScreenReport", "ScreenResult", "decide", "screen", "screen_sellers"]
