-- Grain: one row per area (municipality or region) with its display name.
select 'municipality' as area_type, municipality_code as area_code, municipality_name as area_name
from {{ ref('int_municipalities') }}
union all
select 'region', region_code, region_name
from {{ ref('regions') }}
