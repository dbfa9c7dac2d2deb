-- Grain: one row per (municipality_code, person_number, snapshot_date): everyone with an
-- active employment in the municipality on 1 December, with the KS attributes of the snapshot.
--   * is_counted: the KS population (at least one permanent or temporary employment above
--     0 %; apprentices, substitutes and hourly-only staff are kept but not counted);
--   * position_size_municipality: sum of the counted employments' percentages here;
--   * position_size: the same summed over every municipality of the data where the person
--     is linked by national id (KS: full-time also when 100 % is reached with positions in
--     other municipalities), else the municipal sum; `basis` says which;
--   * main employment: the counted one with the largest percentage, then the earliest start
--     (then the lower position code, then a hash of its described attributes, never of its
--     key: decision 35): its position group, service area and employment type
--     describe the person. It is picked by one arg_max over a numeric ordering key, and its
--     attributes fetched by number: far cheaper at national scale than carrying them along.
{{ config(**year_slice_config()) }}
with employment_snapshots as (
    select * from {{ ref('int_employment_snapshots') }}
    -- every column below is per snapshot: a range needs only its years; a slice of
    -- municipalities needs theirs and every row of their persons (position size across them)
    where {{ in_year_slice() }}
      and {{ in_person_slice(ref('int_employment_snapshots'), in_year_slice()) }}
),

employments as (
    select * from {{ ref('int_hr__employments') }}
),

tenure as (
    select * from {{ ref('int_person_tenure') }}
),

ages as (
    -- one row per age, so the band is an equality join
    select age, age_band
    from {{ ref('age_bands') }}, range(min_age, max_age + 1) as ages(age)
),

persons as (
    select
        municipality_code,
        person_number,
        year,
        snapshot_date,
        bool_or(has_person_key) as has_person_key,
        bool_or(is_counted_type) as is_counted,
        coalesce(sum({{ exact('fte_percent') }}) filter (where is_counted_type), 0) as position_size_municipality,
        bool_or(is_apprentice) as is_apprentice,
        bool_or(is_key_position and is_counted_type) as is_key_position,
        bool_or(coalesce(manager_level between 1 and 3, false) and is_counted_type) as is_leader_level_1_3,
        bool_or(coalesce(termination_group = 'retirement', false)) as has_retirement_termination,
        -- counted first, then percentage x 100, then earlier start (bits 64-94), then the
        -- lower numeric position code (bits 48-61), then a hash of the attributes the main
        -- employment describes (bits 0-47). Never the pseudonymised key: which row wins must not
        -- depend on the secret (decision 35); rows equal on every described attribute may tie,
        -- and then it does not matter which wins.
        arg_max(
            employment_number,
            (
                cast(is_counted_type as hugeint) * 1073741824
                + cast(round(fte_percent * 100) as hugeint) * 65536
                + (65535 - least(greatest(date_diff('day', date '1900-01-01', start_date), 0), 65535))
            ) * 18446744073709551616
            + cast(9999 - coalesce(least(greatest(try_cast(position_code as integer), 0), 9999), 9999) as hugeint)
                * 281474976710656
            + hash(position_group, service_area, employment_type, education_level, birth_year, gender)
                % 281474976710656
        ) as main_employment_number
    from employment_snapshots
    group by municipality_code, person_number, year, snapshot_date
),

elsewhere as (
    -- persons counted in more than one municipality on the same day (linked by national id)
    select person_number, snapshot_date, sum({{ exact('position_size_municipality') }}) as position_size
    from persons
    where has_person_key
    group by person_number, snapshot_date
    having count(*) > 1
),

final as (
    select
        persons.municipality_code,
        persons.person_number,
        persons.year,
        persons.snapshot_date,
        persons.has_person_key,
        case when persons.has_person_key then 'sector' else 'municipality' end as basis,
        persons.is_counted,
        persons.position_size_municipality,
        coalesce(elsewhere.position_size, persons.position_size_municipality) as position_size,
        persons.is_apprentice,
        persons.is_key_position,
        persons.is_leader_level_1_3,
        persons.has_retirement_termination,
        main.position_group as main_position_group,
        coalesce(main.service_area, 'ukjent') as main_service_area,
        main.employment_type as main_employment_type,
        main.education_level as main_education_level,
        main.birth_year,
        main.gender,
        persons.year - main.birth_year as age,
        ages.age_band,
        tenure.first_start_date,
        date_diff('day', tenure.first_start_date, persons.snapshot_date) / 365.25 as tenure_years
    from persons
    inner join employments as main on main.employment_number = persons.main_employment_number
    left join elsewhere
        on elsewhere.person_number = persons.person_number
       and elsewhere.snapshot_date = persons.snapshot_date
    left join ages on ages.age = persons.year - main.birth_year
    left join tenure
        on tenure.municipality_code = persons.municipality_code
       and tenure.person_number = persons.person_number
)

select * from final
where {{ in_slice() }}
