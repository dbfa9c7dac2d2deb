{#- A code has at most one validity period on any day: no two periods of the same key overlap. -#}
{% test no_overlapping_periods(model, key, valid_from='valid_from', valid_to='valid_to') %}
select a.{{ key }}, a.{{ valid_from }}, a.{{ valid_to }}, b.{{ valid_from }} as next_valid_from
from {{ model }} as a
inner join {{ model }} as b
    on a.{{ key }} = b.{{ key }}
   and a.{{ valid_from }} < b.{{ valid_from }}
   and (a.{{ valid_to }} is null or a.{{ valid_to }} > b.{{ valid_from }})
{% endtest %}
