def pytest_configure(config):
    # Registered, not deselected: slow tests run by default (``-m "not slow"`` skips them).
    config.addinivalue_line("markers", "slow: takes more than about 20 s (the 200 MB single-line input)")
