"""The tenant registry: towns and regions, binding a unit of work to a town's schema,
provisioning a town from a template, and migrating every town schema.

    tenants.provision(name, region, template)    -> town id     (provisioning.py)
    tenants.TownBinding / BoundSession / town_connection         (binding.py)
    tenants.migrate.upgrade_platform / upgrade_towns             (migrate.py)
"""

from .binding import BoundSession, TownBinding, TownNotBound, town_connection
from .provisioning import provision

__all__ = ["BoundSession", "TownBinding", "TownNotBound", "provision", "town_connection"]
