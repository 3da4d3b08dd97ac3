"""Service functions shared by the staff API, the admin and the self-service pages.

Views, admin actions and serializers are thin callers of these; the business
rules (validation, transactions, audit trail) live here once.
"""
