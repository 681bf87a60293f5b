"""Layerslayer test harness: registries, token server, fault proxy and fixture images on 127.0.0.1."""
