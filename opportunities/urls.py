from django.urls import path

from opportunities import sales_views, views

app_name = "opportunities"

urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("new/", views.opportunity_create, name="create"),
    path("export/", views.opportunity_export, name="export"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("<int:pk>/status/", views.opportunity_status, name="status"),
    path("<int:pk>/move/", views.opportunity_move, name="move"),
    path("<int:pk>/service-order/", views.opportunity_service_order, name="service_order"),
    path("<int:pk>/delete/", views.opportunity_delete, name="delete"),
    path("<int:pk>/comment/", views.opportunity_comment, name="comment"),
    path("<int:pk>/archive/", views.opportunity_archive, name="archive"),
    path("<int:pk>/follow/", views.opportunity_follow, name="follow"),
    path("<int:pk>/history/export/", views.history_export, name="history_export"),
    path("<int:pk>/lines/", sales_views.line_add, name="line_add"),
    path("<int:pk>/lines/<int:line_pk>/remove/", sales_views.line_remove, name="line_remove"),
    path("<int:pk>/quote/", sales_views.quote_create, name="quote_create"),
    path("convert/<int:pk>/", sales_views.person_convert, name="convert"),
    path("boards/", views.board_list, name="boards"),
    path("boards/new/", views.board_create, name="board_create"),
    path("boards/<int:pk>/", views.board_detail, name="board"),
    path("boards/<int:pk>/stages/<int:stage_pk>/cards/", views.board_cards, name="board_cards"),
    path("boards/<int:pk>/history/", views.board_history, name="board_history"),
    path("boards/<int:pk>/settings/", views.board_settings, name="board_settings"),
    path("boards/<int:pk>/base-card/", views.base_card_edit, name="base_card"),
    path("boards/<int:pk>/stages/add/", views.stage_add, name="stage_add"),
    path("boards/<int:pk>/filters/save/", views.filter_save, name="filter_save"),
    path("boards/<int:pk>/cards/add/", views.quick_add, name="quick_add"),
    path("filters/<int:pk>/delete/", views.filter_delete, name="filter_delete"),
    path("stages/<int:pk>/edit/", views.stage_edit, name="stage_edit"),
    path("stages/<int:pk>/move/", views.stage_move, name="stage_move"),
    path("stages/<int:pk>/delete/", views.stage_delete, name="stage_delete"),
]
