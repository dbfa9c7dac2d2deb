-- Long rows of the recruitment and key-position posting indicators, by the year a posting
-- closed (filled, else deadline, else published). A missing cost counts as no cost: the
-- contract's cost_nok is the extra cost of the hire, and an empty cell is "none recorded".
{{ config(**year_slice_config()) }}
with facts as (
    select
        municipality_code,
        posting_year as year,
        is_filled,
        days_to_fill,
        cost_nok,
        applicants,
        qualified_applicants,
        hire_source,
        is_key_position,
        is_readvertised_or_withdrawn,
        coalesce(position_group, 'unknown') as position_group,
        coalesce(function_family, 'none') as function_family
    from {{ ref('int_hr__postings') }}
),

all_rolled_up as (
    {{ area_rollup('facts', ['position_group', 'function_family'], "
        count(*) as postings,
        count(*) filter (where is_filled) as filled,
        median(days_to_fill) filter (where is_filled) as median_days_to_fill,
        sum(" ~ exact('coalesce(cost_nok, 0)') ~ ") as cost_all,
        sum(applicants) as applicants_sum,
        count(applicants) as postings_with_applicants,
        sum(qualified_applicants) as qualified_sum,
        count(qualified_applicants) as postings_with_qualified,
        count(*) filter (where is_filled and hire_source = 'own_apprentice') as filled_own_apprentice,
        count(*) filter (where is_readvertised_or_withdrawn) as readvertised,
        count(*) filter (where is_key_position) as key_postings,
        count(*) filter (where is_key_position and is_readvertised_or_withdrawn) as key_readvertised,
        count(*) filter (where is_key_position and is_filled) as key_filled,
        sum(" ~ exact('coalesce(cost_nok, 0)') ~ ") filter (where is_key_position and is_filled) as key_filled_cost,
        median(days_to_fill) filter (where is_key_position and is_filled) as key_median_days_to_fill
    ") }}
),

rolled_up as (
    -- postings outside the shared-service families have no function_family row
    select * from all_rolled_up
    where not (breakdown = 'function_family' and breakdown_value = 'none')
),

final as (
    {{ indicator_rows('rolled_up', [
        {'id': 'time_to_fill_days', 'persons': 'filled', 'numerator': 'null', 'denominator': 'filled', 'value': 'median_days_to_fill'},
        {'id': 'applicants_per_posting', 'persons': 'postings_with_applicants', 'numerator': 'applicants_sum', 'denominator': 'postings_with_applicants'},
        {'id': 'qualified_per_posting', 'persons': 'postings_with_qualified', 'numerator': 'qualified_sum', 'denominator': 'postings_with_qualified'},
        {'id': 'cost_per_hire', 'persons': 'filled', 'numerator': 'cost_all', 'denominator': 'filled'},
        {'id': 'own_apprentice_hire_share', 'persons': 'filled', 'numerator': 'filled_own_apprentice', 'denominator': 'filled'},
        {'id': 'readvertised_share', 'persons': 'postings', 'numerator': 'readvertised', 'denominator': 'postings'},
        {'id': 'key_vacancy_days', 'persons': 'key_filled', 'numerator': 'null', 'denominator': 'key_filled', 'value': 'key_median_days_to_fill'},
        {'id': 'key_cost_per_hire', 'persons': 'key_filled', 'numerator': 'key_filled_cost', 'denominator': 'key_filled'},
        {'id': 'key_readvertised_share', 'persons': 'key_postings', 'numerator': 'key_readvertised', 'denominator': 'key_postings'},
    ], basis='null') }}
)

select * from final
where {{ in_slice() }}
