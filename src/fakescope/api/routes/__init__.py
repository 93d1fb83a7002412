"""API routes, one module per capability, each exposing `router`.

The app includes every module of this package that defines one.
"""
