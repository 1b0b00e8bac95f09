"""Typed audit events: the registry of actions (`actions`), the payload each carries (`payloads`), and the check that
`audit.services.record` and `event` run on every event (`registry`). Writers and readers of the ledger import from here.
"""
