-- Grain: one row per (indicator_id, area_type, area_code, year, breakdown, breakdown_value):
-- every published figure in one shape, with its numerator and denominator, so any regional
-- figure can be recomputed from people and any ratio checked. Publication rules:
--   * only the breakdowns dbt/seeds/indicator_catalogue.csv lists for the indicator;
--   * a ratio needs a numerator and a positive denominator (no 0/0 figures);
--   * a breakdown row of nobody (persons = 0) is not a figure either: a group exists in
--     every table only where someone is in it, so no indicator shows a 0 that another
--     states by leaving the row out (that pair would publish the zero and defeat disclosure
--     control); totals keep their zeros (a municipality with no apprentices says so);
--   * value = numerator / denominator x scale for ratios, the numerator for counts, and
--     the median or index itself for medians and indices;
--   * value, numerator and denominator are DOUBLE for every unit (FTE, kroner, medians); where
--     `whole_parts` below says one counts whole things, the same number is also a BIGINT
--     (`value_count`, `numerator_count`, `denominator_count`; decision 33).
{{ config(**year_slice_config()) }}
with indicators as (
    select * from {{ ref('int_indicators') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

coverage as (
    select * from {{ ref('int_area_coverage') }}
),

-- Which parts of a figure count whole things (persons, postings, cases, function families),
-- declared here once (decision 33). Not listed, so never integer: FTE sums and position sizes,
-- kroner, medians, projections and SSB figures mapped onto today's municipalities with
-- weights (they may hold fractions). Inline rather than a seed, so a warehouse built before
-- it needs no full rebuild: a delivery run builds only the models downstream of raw.
whole_parts (indicator_id, parts) as (
    values
        ('counted_employees', 'value numerator'),
        ('fulltime_share', 'numerator denominator'),
        ('avg_position_size', 'denominator'),
        ('short_parttime_share', 'numerator denominator'),
        ('fulltime_share_new_hires', 'numerator denominator'),
        ('turnover', 'numerator denominator'),
        ('sector_turnover', 'numerator denominator'),
        ('turnover_excl_retirement', 'numerator denominator'),
        ('regional_retention', 'numerator denominator'),
        ('internal_mobility', 'numerator denominator'),
        ('transitions', 'numerator denominator'),
        ('retention_12m', 'numerator denominator'),
        ('retention_24m', 'numerator denominator'),
        ('median_tenure_years', 'denominator'),
        ('temporary_share', 'numerator denominator'),
        ('key_turnover', 'numerator denominator'),
        ('key_vacancy_days', 'denominator'),
        ('key_cost_per_hire', 'denominator'),
        ('key_readvertised_share', 'numerator denominator'),
        ('key_median_tenure_years', 'denominator'),
        ('time_to_fill_days', 'denominator'),
        ('applicants_per_posting', 'numerator denominator'),
        ('qualified_per_posting', 'numerator denominator'),
        ('readvertised_share', 'numerator denominator'),
        ('cost_per_hire', 'denominator'),
        ('own_apprentice_hire_share', 'numerator denominator'),
        ('apprentice_conversion_12m', 'numerator denominator'),
        ('apprentices', 'value numerator'),
        ('apprentices_per_1000', 'numerator'),
        ('women_share', 'numerator denominator'),
        ('women_share_leaders', 'numerator denominator'),
        ('age_distribution', 'numerator denominator'),
        ('retirement_wave_5y', 'numerator denominator'),
        ('retirement_wave_10y', 'numerator denominator'),
        ('employees_per_1000', 'numerator'),
        ('single_person_functions', 'value numerator denominator'),
        ('backlog_overdue_share', 'numerator denominator'),
        ('education_reported_share', 'numerator denominator'),
        ('higher_education_share', 'numerator denominator'),
        ('qualification_gap', 'numerator denominator'),
        ('replacement_gap_5y', 'denominator'),
        ('replacement_gap_5y_low', 'denominator'),
        ('replacement_gap_5y_high', 'denominator'),
        ('replacement_gap_10y', 'denominator'),
        ('replacement_gap_10y_low', 'denominator'),
        ('replacement_gap_10y_high', 'denominator')
),

whole_numbers as (
    select
        indicator_id,
        list_contains(string_split(parts, ' '), 'value') as value_is_count,
        list_contains(string_split(parts, ' '), 'numerator') as numerator_is_count,
        list_contains(string_split(parts, ' '), 'denominator') as denominator_is_count
    from whole_parts
),

published as (
    select
        indicators.indicator_id,
        indicators.area_type,
        indicators.area_code,
        indicators.year,
        indicators.breakdown,
        indicators.breakdown_value,
        indicators.numerator,
        indicators.denominator,
        case catalogue.value_kind
            when 'ratio' then indicators.numerator / indicators.denominator * catalogue.scale
            when 'count' then indicators.numerator
            else indicators.value
        end as value,
        indicators.persons,
        catalogue.unit,
        indicators.basis,
        catalogue.coverage_rule
    from indicators
    inner join catalogue on catalogue.indicator_id = indicators.indicator_id
    where list_contains(string_split(catalogue.breakdowns, ' '), indicators.breakdown)
      and case catalogue.value_kind
            when 'ratio' then indicators.numerator is not null and indicators.denominator > 0
            when 'count' then indicators.numerator is not null
            else indicators.value is not null
        end
      and (indicators.breakdown = 'total' or coalesce(indicators.persons, 1) > 0)
),

final as (
    select
        published.indicator_id,
        published.area_type,
        published.area_code,
        published.year,
        published.breakdown,
        published.breakdown_value,
        published.numerator,
        published.denominator,
        published.value,
        case when whole_numbers.value_is_count
            then {{ whole_number('published.value', 'fct_indicators.value_count') }} end as value_count,
        case when whole_numbers.numerator_is_count
            then {{ whole_number('published.numerator', 'fct_indicators.numerator_count') }} end as numerator_count,
        case when whole_numbers.denominator_is_count
            then {{ whole_number('published.denominator', 'fct_indicators.denominator_count') }} end
            as denominator_count,
        published.persons,
        published.unit,
        published.basis,
        coalesce(coverage.municipalities_with_data, 0) as municipalities_with_data
    from published
    left join whole_numbers on whole_numbers.indicator_id = published.indicator_id
    left join coverage
        on coverage.area_type = published.area_type
       and coverage.area_code = published.area_code
       and coverage.year = published.year
       and coverage.coverage_rule = published.coverage_rule
)

select * from final
where {{ in_slice() }}
