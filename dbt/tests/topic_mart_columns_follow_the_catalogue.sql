-- Every column of a topic mart (dbt/seeds/topic_mart_columns.csv) shows an indicator of the
-- mart's topic in the catalogue: fct_<topic> shows only indicators whose topic is <topic>.
-- Returns the columns that do not.
select
    columns.mart,
    columns.column_name,
    columns.indicator_id,
    catalogue.topic
from {{ ref('topic_mart_columns') }} as columns
left join {{ ref('indicator_catalogue') }} as catalogue using (indicator_id)
where catalogue.topic is distinct from substr(columns.mart, length('fct_') + 1)
