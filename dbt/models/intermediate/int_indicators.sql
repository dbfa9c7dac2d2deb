-- Every indicator family's long rows in one relation, before publication rules
-- (catalogue breakdowns, empty denominators) are applied in fct_indicators.
{% set families = [
    'int_indicators__snapshot',
    'int_indicators__turnover',
    'int_indicators__hires',
    'int_indicators__apprentices',
    'int_indicators__postings',
    'int_indicators__backlog',
    'int_indicators__capacity',
    'int_indicators__population',
    'int_indicators__competence',
] %}

{{ config(**year_slice_config()) }}
select * from (
{% for family in families %}
select
    indicator_id,
    area_type,
    area_code,
    year,
    breakdown,
    breakdown_value,
    numerator,
    denominator,
    value,
    persons,
    cast(basis as varchar) as basis
from {{ ref(family) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
) as families
where {{ in_slice() }}
