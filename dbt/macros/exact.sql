{#-
    A fractional measure as an exact DECIMAL, for the argument of sum() and avg():

        sum({{ exact('facts.fte') }})             -- DECIMAL(38, 10), the same in any order
        avg({{ exact('turnover', 18) }})          -- DOUBLE of the exact mean

    DuckDB adds DOUBLEs in whatever order its threads and row groups hand them over, so two
    builds of the same data differed in the last bits, and a figure on a rounding boundary
    (15.775 FTE) was published as 15.77 by one build and 15.78 by the next. Decimals add
    exactly, in any order.

    decimals = 10 (the default) for quantities that are decimal numbers by contract:
    percentages, FTE and kroner. Ten decimals hold each such value exactly (a percentage with
    two decimals is an FTE with four), so the sum is the true one, not just a repeatable one;
    28 integer digits hold any sum.
    decimals = 18 for doubles without a decimal truth (ratios, persons shared by KLASS
    weights, differences of shares, indicator values): 18 decimals keep such a value to its
    own double precision, so no figure moves by more than float noise; 20 integer digits.

    Marts cast their columns back to DOUBLE where they expose one (their documented types).
-#}
{% macro exact(expression, decimals=10) -%}
    cast({{ expression }} as decimal(38, {{ decimals }}))
{%- endmacro %}
