{#-
    A model's grain, declared once beside it in the yml: the columns that identify a row. None
    of them is null and no combination repeats, so a row is one (area, year, ...) and a join on
    the grain never fans out. Returns the offending keys with how often each occurs.
-#}
{% test grain(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{%- for column in columns %}
    or {{ column }} is null
{%- endfor %}
{% endtest %}
