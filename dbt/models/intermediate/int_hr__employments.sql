-- Grain: one row per employment (employment_key, reported_municipality_code), cleaned and
-- de-duplicated across extracts, on today's municipality code, with the dates the
-- indicators use. The rules (documented in _intermediate__models.yml):
--   * person: the national-id pseudonym where any row of the employee had one, else the
--     municipality's employee pseudonym (so one person never splits in two within a
--     municipality when only some extracts carried national ids);
--   * municipality: today's code through KLASS; rows of a split code go to the successor
--     where the same person works within a year after the change, else to the successor
--     with the largest share;
--   * the same employment under a new key in a later extract (same municipality, person,
--     position code and start date) is kept once, in its newest version;
--   * an employment absent from a later extract of its municipality has ended: an ongoing
--     row gets end date = the day before that extract's period starts (extraction date - 1
--     year, or the day before its declared history), never before the extract that last listed it;
--   * a row counts at snapshots only from the start of its own code's first extract period
--     (of any version of it), so a successor's first extract (with original start dates)
--     never doubles the predecessor's last one.
{% set far_future = "date '9999-12-31'" %}
{#- the function family: by position code, title, service area, then KOSTRA function -#}
{% set family_match = ['position_code', 'position_title', 'service_area', 'kostra_function'] %}

with employments as (
    select * from {{ ref('stg_hr__employments') }}
),

code_map as (
    select * from {{ ref('int_municipality_code_map') }}
),

extracts as (
    select * from {{ ref('int_hr__extracts') }}
),

termination_groups as (
    select * from {{ ref('termination_reason_groups') }}
),

linked as (
    select
        employments.*,
        coalesce(
            person_key,
            max(person_key) over (partition by reported_municipality_code, employee_key)
        ) as linked_person_key
    from employments
),

with_code as (
    select
        linked.*,
        coalesce(primary_code.municipality_code, linked.reported_municipality_code) as primary_municipality_code,
        coalesce(primary_code.is_split, false) as is_split_source
    from linked
    left join code_map as primary_code
        on primary_code.source_code = linked.reported_municipality_code
       and primary_code.is_primary
),

split_candidates as (
    -- for rows of a split code: does the person work in this successor within a year of the change?
    select
        split_rows.employment_key,
        split_rows.reported_municipality_code,
        successor.municipality_code as candidate_code,
        successor.weight,
        bool_or(evidence.employment_key is not null) as has_evidence
    from with_code as split_rows
    inner join code_map as successor
        on successor.source_code = split_rows.reported_municipality_code
    left join with_code as evidence
        on evidence.linked_person_key = split_rows.linked_person_key
       and evidence.primary_municipality_code = successor.municipality_code
       and not evidence.is_split_source
       and evidence.start_date < successor.changed_on + interval 1 year
       and coalesce(evidence.end_date, {{ far_future }}) >= successor.changed_on
    where split_rows.is_split_source
    group by all
),

split_choice as (
    select employment_key, reported_municipality_code, candidate_code
    from split_candidates
    qualify row_number() over (
        partition by reported_municipality_code, employment_key
        order by has_evidence desc, weight desc, candidate_code
    ) = 1
),

harmonised as (
    select
        with_code.*,
        coalesce(split_choice.candidate_code, with_code.primary_municipality_code) as municipality_code,
        coalesce(with_code.linked_person_key, with_code.employee_key) as person_id,
        with_code.linked_person_key is not null as has_person_key
    from with_code
    left join split_choice
        on split_choice.employment_key = with_code.employment_key
       and split_choice.reported_municipality_code = with_code.reported_municipality_code
),

first_extract as (
    select reported_municipality_code, min(period_start_date) as first_period_start_date
    from extracts
    group by reported_municipality_code
),

newest_versions as (
    -- same employment re-keyed in a later extract: its newest version, and the first period
    -- of any of its versions
    select
        harmonised.municipality_code,
        harmonised.person_id,
        harmonised.position_code,
        harmonised.start_date,
        max(harmonised.extraction_date) as newest_extraction_date,
        min(first_extract.first_period_start_date) as first_period_start_date
    from harmonised
    left join first_extract
        on first_extract.reported_municipality_code = harmonised.reported_municipality_code
    group by all
),

deduplicated as (
    select
        harmonised.*,
        newest_versions.first_period_start_date
    from harmonised
    inner join newest_versions
        on newest_versions.municipality_code = harmonised.municipality_code
       and newest_versions.person_id = harmonised.person_id
       and newest_versions.position_code = harmonised.position_code
       and newest_versions.start_date = harmonised.start_date
       and newest_versions.newest_extraction_date = harmonised.extraction_date
),

person_numbers as (
    -- a compact number per person for the big joins downstream. A hash, not a row number: the
    -- same person keeps the same number in every build, which a range rebuild relies on (the
    -- years it does not rebuild were numbered by an earlier build; see macros/year_slices.sql).
    -- 64 bits: a collision among a million persons has odds of about 1 in 30 million.
    select person_id, hash(person_id) as person_number
    from (select distinct person_id from harmonised) as persons
),

next_extract as (
    select municipality_code, extraction_date, period_start_date
    from extracts
    where not is_split_source
),

next_extract_by_date as (
    -- the first later extract of the same municipality, looked up once per extract date
    select
        versions.municipality_code,
        versions.extraction_date,
        later.extraction_date as next_extraction_date,
        later.period_start_date as next_period_start_date
    from (select distinct municipality_code, extraction_date from deduplicated) as versions
    asof left join next_extract as later
        on later.municipality_code = versions.municipality_code
       and later.extraction_date > versions.extraction_date
),

dated as (
    select
        deduplicated.*,
        next_extract_by_date.next_extraction_date,
        next_extract_by_date.next_period_start_date
    from deduplicated
    left join next_extract_by_date using (municipality_code, extraction_date)
),

ended as (
    select
        dated.*,
        case
            when next_extraction_date is null then end_date
            else least(
                coalesce(end_date, {{ far_future }}),
                greatest(extraction_date, cast(next_period_start_date - interval 1 day as date))
            )
        end as effective_end_date
    from dated
),

termination as (
    select
        ended.employment_key,
        ended.reported_municipality_code,
        termination_groups.reason_group
    from ended
    inner join termination_groups
        on ended.termination_reason ilike termination_groups.pattern
    qualify row_number() over (
        partition by ended.reported_municipality_code, ended.employment_key
        order by termination_groups.priority, termination_groups.pattern
    ) = 1
),

final as (
    select
        ended.employment_key,
        ended.reported_municipality_code,
        ended.municipality_code,
        ended.person_id,
        person_numbers.person_number,
        -- a compact number per employment, for the same reasons
        hash(ended.reported_municipality_code, ended.employment_key) as employment_number,
        ended.has_person_key,
        ended.employee_key,
        ended.birth_year,
        ended.gender,
        ended.position_code,
        ended.position_title,
        {{ position_group_of('ended') }} as position_group,
        {{ manager_level_of('ended') }} as manager_level,
        {{ is_key_position_of('ended') }} as is_key_position,
        ended.employment_type,
        ended.employment_type = 'apprentice' or coalesce(position_codes.is_apprentice, false) as is_apprentice,
        ended.fte_percent,
        ended.employment_type in ('permanent', 'temporary')
            and ended.fte_percent > 0
            and not (ended.employment_type = 'apprentice' or coalesce(position_codes.is_apprentice, false))
            as is_counted_type,
        ended.start_date,
        ended.end_date as reported_end_date,
        ended.effective_end_date,
        (ended.effective_end_date is distinct from ended.end_date) as is_end_imputed,
        greatest(ended.start_date, ended.first_period_start_date) as snapshot_from_date,
        ended.termination_reason,
        coalesce(termination.reason_group, case when ended.termination_reason is not null then 'other' end)
            as termination_group,
        ended.unit,
        ended.service_area,
        ended.kostra_function,
        {{ function_family_of(family_match) }} as function_family,
        ended.education_level,
        ended.extraction_date,
        ended.next_extraction_date,
        ended.delivery_sha256,
        ended.source_row_number
    from ended
    inner join person_numbers on person_numbers.person_id = ended.person_id
    {{- position_joins('ended') }}
    left join termination
        on termination.employment_key = ended.employment_key
       and termination.reported_municipality_code = ended.reported_municipality_code
    {{- function_family_joins('ended', family_match) }}
    -- an employment that ended before it started (absent from the extract after the one that
    -- announced it) was never active
    where ended.effective_end_date is null or ended.effective_end_date >= ended.start_date
)

select * from final
