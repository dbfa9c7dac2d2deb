{#- A share is a part of a whole: 0 <= numerator <= denominator. Apply with a `where` that
    selects the share rows (unit = 'share'). -#}
{% test numerator_within_denominator(model, numerator='numerator', denominator='denominator') %}
select *
from {{ model }}
where {{ numerator }} is not null
  and ({{ numerator }} < 0 or {{ numerator }} > {{ denominator }} or {{ denominator }} <= 0)
{% endtest %}
