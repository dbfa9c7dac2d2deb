-- Long rows of apprentice conversion: apprentices who finished in the year and held a
-- non-apprentice employment in the same municipality within 12 months.
{{ config(**year_slice_config()) }}
with facts as (
    select municipality_code, year, is_observable_12m, is_converted_12m
    from {{ ref('int_apprentice_completions') }}
),

rolled_up as (
    {{ area_rollup('facts', [], "
        count(*) filter (where is_observable_12m) as finished,
        count(*) filter (where is_observable_12m and is_converted_12m) as converted
    ") }}
),

final as (
    {{ indicator_rows('rolled_up', [
        {'id': 'apprentice_conversion_12m', 'persons': 'finished', 'numerator': 'converted', 'denominator': 'finished', 'basis': "'municipality'"},
    ]) }}
)

select * from final
where {{ in_slice() }}
