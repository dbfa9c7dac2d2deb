{#- For every ratio indicator (dim_indicator.value_kind = 'ratio') the published value is
    numerator / denominator x scale, to floating-point precision; for counts, the numerator. -#}
{% test value_matches_ratio(model, indicators) %}
select model.*
from {{ model }} as model
inner join {{ indicators }} as indicators using (indicator_id)
where (
        indicators.value_kind = 'ratio'
        and abs(model.value - model.numerator / model.denominator * indicators.scale)
            > 1e-9 * greatest(1, abs(model.value))
    )
   or (indicators.value_kind = 'count' and model.value is distinct from model.numerator)
{% endtest %}
