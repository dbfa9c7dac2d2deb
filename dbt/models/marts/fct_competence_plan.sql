-- Grain: one row per (municipality_code, year, function_family) staffed on 1 December: the
-- basis of a municipality's competence plan. Per shared-service function family: staff (FTE,
-- persons, one person / under one FTE), age risk, the replacement gap 5 and 10 years ahead
-- with its band (fct_replacement_need), recruitment difficulty over the postings of the
-- last three years (year - 2 to year), the qualification gap, and a priority order with the
-- reasons in words (decision 31). `is_latest_year` marks the municipality's newest snapshot.
with capacity as (
    select * from {{ ref('int_function_capacity') }}
    where area_type = 'municipality'
),

families as (
    select * from {{ ref('function_families') }}
),

need as (
    select * from {{ ref('fct_replacement_need') }}
    where area_type = 'municipality'
),

gap as (
    select * from {{ ref('fct_qualification_gap') }}
    where area_type = 'municipality' and breakdown = 'function_family'
),

postings as (
    select * from {{ ref('int_hr__postings') }}
    where function_family is not null
),

staff_ages as (
    select municipality_code, year, function_family,
        count(*) filter (where age >= {{ var('function_risk_age') }}) as persons_aged_risk
    from {{ ref('int_function_staff') }}
    group by all
),

names as (
    select area_code as municipality_code, area_name as municipality_name
    from {{ ref('int_area_names') }}
    where area_type = 'municipality'
),

latest as (
    select municipality_code, max(year) as latest_year
    from {{ ref('int_data_coverage') }}
    where has_snapshot
    group by all
),

recruitment as (
    select
        capacity.area_code as municipality_code,
        capacity.year,
        capacity.function_family,
        count(postings.posting_id) as postings_3y,
        median(postings.days_to_fill) filter (where postings.is_filled) as median_days_to_fill_3y,
        sum(postings.qualified_applicants) / nullif(count(postings.qualified_applicants), 0)
            as qualified_per_posting_3y,
        count(postings.posting_id) filter (where postings.is_readvertised_or_withdrawn)
            / nullif(count(postings.posting_id), 0) as readvertised_share_3y
    from capacity
    left join postings
        on postings.municipality_code = capacity.area_code
       and postings.function_family = capacity.function_family
       and postings.posting_year between capacity.year - 2 and capacity.year
    group by all
),

joined as (
    select
        capacity.area_code as municipality_code,
        names.municipality_name,
        capacity.year,
        capacity.year = latest.latest_year as is_latest_year,
        capacity.function_family,
        families.function_family_name,
        families.sort_order,
        capacity.persons,
        cast(capacity.fte as double) as fte,  -- an exact DECIMAL upstream (macros/exact.sql)
        capacity.persons = 1 as is_single_person,
        capacity.fte < 1 as is_under_one_fte,
        coalesce(staff_ages.persons_aged_risk, 0) as persons_aged_risk,
        cast(capacity.fte_aged_risk as double) as fte_aged_risk,
        capacity.fte_aged_risk / nullif(capacity.fte, 0) as age_risk_share,
        need_5.gap as gap_5y,
        need_5.gap_low as gap_5y_low,
        need_5.gap_high as gap_5y_high,
        need_5.gap_fte as gap_fte_5y,
        need_10.gap as gap_10y,
        need_10.gap_low as gap_10y_low,
        need_10.gap_high as gap_10y_high,
        need_10.gap_fte as gap_fte_10y,
        recruitment.postings_3y,
        recruitment.median_days_to_fill_3y,
        recruitment.qualified_per_posting_3y,
        recruitment.readvertised_share_3y,
        gap.qualification_gap,
        coalesce(gap.education_status, 'ingen stillinger med utdanningskrav') as education_status
    from capacity
    inner join families using (function_family)
    inner join latest on latest.municipality_code = capacity.area_code
    inner join names on names.municipality_code = capacity.area_code
    left join staff_ages
        on staff_ages.municipality_code = capacity.area_code
       and staff_ages.year = capacity.year
       and staff_ages.function_family = capacity.function_family
    left join need as need_5
        on need_5.area_code = capacity.area_code
       and need_5.year = capacity.year
       and need_5.function_family = capacity.function_family
       and need_5.horizon_years = 5
    left join need as need_10
        on need_10.area_code = capacity.area_code
       and need_10.year = capacity.year
       and need_10.function_family = capacity.function_family
       and need_10.horizon_years = 10
    left join recruitment
        on recruitment.municipality_code = capacity.area_code
       and recruitment.year = capacity.year
       and recruitment.function_family = capacity.function_family
    left join gap
        on gap.area_code = capacity.area_code
       and gap.year = capacity.year
       and gap.breakdown_value = capacity.function_family
),

flagged as (
    select
        joined.*,
        coalesce(age_risk_share >= {{ var('competence_age_risk_share') }}, false) as has_age_risk,
        coalesce(
            gap_5y >= 1 and gap_5y >= {{ var('competence_large_gap_share') }} * persons, false
        ) as has_large_gap,
        coalesce(median_days_to_fill_3y >= {{ var('competence_long_fill_days') }}, false) as has_long_fill,
        coalesce(qualified_per_posting_3y < {{ var('competence_few_qualified') }}, false) as has_few_qualified,
        coalesce(readvertised_share_3y >= {{ var('competence_readvertised_share') }}, false) as has_readvertising,
        coalesce(qualification_gap >= {{ var('competence_qualification_gap') }}, false) as has_qualification_gap
    from joined
),

scored as (
    -- structural reasons (staffing and postings) and personal ones (ages, education): a
    -- release hides the personal ones for small families, so both parts are kept apart
    select
        flagged.*,
        3 * cast(is_single_person as integer)
            + 2 * cast(is_under_one_fte as integer)
            + cast(has_long_fill as integer)
            + cast(has_few_qualified as integer)
            + cast(has_readvertising as integer) as structural_score,
        2 * cast(has_age_risk as integer)
            + 2 * cast(has_large_gap as integer)
            + cast(has_qualification_gap as integer) as personal_score,
        coalesce(nullif(concat_ws(', ',
            case when is_single_person then 'én person' end,
            case when is_under_one_fte then 'under ett årsverk' end,
            case when has_age_risk then '60+' end,
            case when has_large_gap then 'stort erstatningsbehov om 5 år' end,
            case when has_long_fill then 'lang tid til besatt' end,
            case when has_few_qualified then 'få kvalifiserte søkere' end,
            case when has_readvertising then 'ofte utlyst på nytt' end,
            case when has_qualification_gap then 'kvalifikasjonsgap' end
        ), ''), 'ingen særskilt risiko') as priority_reason,
        coalesce(nullif(concat_ws(', ',
            case when is_single_person then 'én person' end,
            case when is_under_one_fte then 'under ett årsverk' end,
            case when has_long_fill then 'lang tid til besatt' end,
            case when has_few_qualified then 'få kvalifiserte søkere' end,
            case when has_readvertising then 'ofte utlyst på nytt' end
        ), ''), 'ingen særskilt risiko') as structural_reason
    from flagged
),

final as (
    select
        * exclude (sort_order),
        structural_score + personal_score as priority_score,
        row_number() over (
            partition by municipality_code, year
            order by structural_score + personal_score desc, gap_5y desc nulls last, sort_order
        ) as priority_rank
    from scored
)

select * from final
