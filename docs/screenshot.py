"""Render the HTML report of the bundled article and save docs/report.png (headless Debian chromium).

    python docs/screenshot.py        # needs selenium, chromium and chromium-driver
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent

with tempfile.TemporaryDirectory() as tmp:
    report = Path(tmp) / "report.html"
    # The report names each document by the path as given: a relative one, run from the repository root,
    # so the picture shows "data/vance_article.txt" and not where this checkout happens to live.
    subprocess.run([sys.executable, "-m", "dedup", "scan", "data/vance_article.txt", "-f", "html", "-o", str(report)],
                   check=True, cwd=ROOT)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1100,1500", "--hide-scrollbars"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        browser.get(report.as_uri())
        browser.execute_script("document.querySelector('h2 + p.summary').scrollIntoView()")
        browser.execute_script("window.scrollBy(0, -60)")
        browser.save_screenshot(str(ROOT / "docs" / "report.png"))
    finally:
        browser.quit()
print(f"wrote {ROOT / 'docs' / 'report.png'}")
