-- Grain: one row per posting (reported_municipality_code, posting_id) on today's municipality
-- code (a split code goes to its largest successor: postings carry no person to follow).
-- A posting belongs to the year it closed: filled, else its application deadline, else
-- its publication.
with postings as (
    select * from {{ ref('stg_hr__postings') }}
),

final as (
    select
        postings.reported_municipality_code,
        {{ todays_code('postings') }} as municipality_code,
        postings.posting_id,
        postings.position_code,
        postings.position_title,
        {{ manager_level_of('postings') }} as manager_level,
        {{ position_group_of('postings') }} as position_group,
        {{ is_key_position_of('postings') }} as is_key_position,
        -- postings carry no service area or KOSTRA function: the position code maps, else the
        -- title (as for employments: a code shared by many titles, such as 8530, maps by title)
        {{ function_family_of(['position_code', 'position_title']) }} as function_family,
        postings.fte_percent,
        postings.employment_type,
        postings.published_date,
        postings.closing_date,
        postings.filled_date,
        postings.filled_date is not null as is_filled,
        postings.status,
        coalesce(postings.status in ('readvertised', 'withdrawn'), false) as is_readvertised_or_withdrawn,
        date_diff('day', postings.published_date, postings.filled_date) as days_to_fill,
        year(coalesce(postings.filled_date, postings.closing_date, postings.published_date)) as posting_year,
        postings.applicants,
        postings.qualified_applicants,
        postings.hired_employee_key,
        postings.hire_source,
        postings.cost_nok,
        postings.extraction_date
    from postings
    {{- code_map_join('postings', primary_only=true) }}
    {{- position_joins('postings') }}
    {{- function_family_joins('postings', ['position_code', 'position_title']) }}
)

select * from final
