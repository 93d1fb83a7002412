"""The HTTP edge: one FastAPI app serving the API and the web pages over the service layer.

Routes parse, call one service function and render; errors map to answers in `api/errors.py`.
"""
