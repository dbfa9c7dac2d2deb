-- Grain: one row per indicator_id: what a figure in fct_indicators means — Norwegian name
-- and definition, unit, how its value is formed, its published breakdowns and its source.
select
    indicator_id,
    indicator_name,
    definition,
    unit,
    value_kind,
    scale,
    breakdowns,
    topic,
    is_additive,
    coverage_rule,
    higher_is_better,
    source
from {{ ref('indicator_catalogue') }}
