"""Settings for bench/bench_portal.py only: the platform's settings with a URLconf that adds the
bench's in-memory view (bench/portal_bench_urls.py). Never used outside the benchmark."""

from tongban.settings import *  # noqa: F403

ROOT_URLCONF = "portal_bench_urls"
