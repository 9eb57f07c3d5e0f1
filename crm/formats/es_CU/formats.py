from crm.locales import number_formats

globals().update(number_formats("es_CU"))
