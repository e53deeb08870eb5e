"""A local replay of the 产业园区网 news site: generated articles, served over real HTTP.

The live site cannot be reached; tests, the demo and benchmarks crawl this instead. See
``site`` (the model and ground truth), ``themes`` (markup variants) and ``server``.
"""

from __future__ import annotations

from crawler.replay.server import ReplayServer
from crawler.replay.site import Page, ReplaySite
from crawler.replay.themes import THEMES

__all__ = ["THEMES", "Page", "ReplayServer", "ReplaySite"]
