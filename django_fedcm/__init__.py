"""django-fedcm: a FedCM identity provider for Django."""

__version__ = "0.1.0.dev0"
